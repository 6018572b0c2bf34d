"""Seeded faults: every kind a client must survive, always transient, and reproducible."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from pipelines.simulator.faults import KINDS, MAX_FAULTY_ATTEMPTS, FaultInjector
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.simulator.clock import ManualClock

TODAY = date(2026, 6, 17)
SIZE = WorldSize(accounts=2, campaigns_per_account=3, days=40, sends_per_campaign_day=100)
ACCOUNT = World(7, SIZE, TODAY).accounts[0].account_id
TOKEN = {"access_token": "sim-token"}
CLIENT_WAIT = 3.0  # seconds a client waits for the answer to a `slow` fault


def test_no_faults_at_rate_zero() -> None:
    injector = FaultInjector(seed=1, rate=0.0)
    assert all(injector.decide(f"GET /k{i}", 0) is None for i in range(200))


def test_faults_stop_after_a_few_attempts_of_the_same_request() -> None:
    injector = FaultInjector(seed=1, rate=1.0)
    decisions = [injector.decide("GET /v25.0/act_1?", injector.next_attempt("GET /v25.0/act_1?")) for _ in range(6)]
    assert all(decisions[:MAX_FAULTY_ATTEMPTS]) and decisions[MAX_FAULTY_ATTEMPTS:] == [None] * 3


def test_every_kind_occurs_and_the_rate_is_roughly_kept() -> None:
    injector = FaultInjector(seed=3, rate=0.2)
    picks = [injector.decide(f"GET /k{i}", 0) for i in range(2000)]
    faulty = [p for p in picks if p]
    assert set(faulty) == set(KINDS)
    assert 300 < len(faulty) < 500


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_rate_outside_zero_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultInjector(seed=1, rate=rate)


def classify(client: httpx.Client, url: str) -> str:
    try:
        response = client.get(url, params=TOKEN)
    except httpx.TimeoutException:
        return "slow"
    except httpx.RemoteProtocolError:
        return "dropped"
    if response.status_code == 500 and response.headers["content-type"].startswith("text/html"):
        return "server_error"
    if response.status_code == 500:
        error = response.json()["error"]
        return "transient" if error["code"] == 2 and error["is_transient"] is True else "other"
    try:
        response.json()
    except json.JSONDecodeError:
        return "truncated" if response.status_code == 200 else "other"
    return "ok"


@pytest.mark.parametrize("kind", KINDS)
def test_each_fault_kind_then_recovery(kind: str) -> None:
    url = f"/v25.0/act_{ACCOUNT}/ads"
    with running_simulator(size=SIZE, today=TODAY) as clean_url:
        expected = httpx.get(clean_url + url, params=TOKEN).json()
    # A slow answer comes twice as late as the client waits; any other answer takes milliseconds,
    # so the client's wait is a ceiling that only a loaded machine's worst case comes near.
    timeout = CLIENT_WAIT if kind == "slow" else 30.0
    with running_simulator(size=SIZE, today=TODAY, faults=1.0, fault_kinds=(kind,), slow_seconds=2 * CLIENT_WAIT) as base:
        with httpx.Client(base_url=base, timeout=timeout) as client:
            outcomes = [classify(client, url) for _ in range(MAX_FAULTY_ATTEMPTS)]
            final = client.get(url, params=TOKEN)
    assert outcomes == [kind] * MAX_FAULTY_ATTEMPTS
    assert final.status_code == 200 and final.json() == expected


CLOCK = ManualClock()


def poll_to_the_end(client: httpx.Client, run_id: str) -> dict:
    for _ in range(30):
        CLOCK.advance(1.0)
        status = client.get(f"/{run_id}", params=TOKEN).json()
        if not status["is_running"]:
            return status
    raise AssertionError("the report run never finished")


def test_async_jobs_fail_or_are_skipped_under_faults() -> None:
    params = {**TOKEN, "level": "campaign", "fields": "spend", "date_preset": "last_7d"}
    with running_simulator(size=SIZE, today=TODAY, faults=1.0, fault_kinds=(), clock=CLOCK, job_seconds=5.0) as base:
        with httpx.Client(base_url=f"{base}/v25.0", timeout=10) as client:
            runs = [client.post(f"/act_{ACCOUNT}/insights", data=params).json()["report_run_id"] for _ in range(12)]
            finals = [poll_to_the_end(client, run_id) for run_id in runs]
            failed = next(f for f in finals if f["async_status"] == "Job Failed")
            unfinished = client.get(f"/{failed['id']}/insights", params=TOKEN)
        with httpx.Client(base_url=f"{base}/v24.0", timeout=10) as old:
            run_id = next(r for r, f in zip(runs, finals, strict=True) if f["async_status"] == "Job Failed")
            old_status = old.get(f"/{run_id}", params=TOKEN).json()
    states = {f["async_status"] for f in finals}
    assert {"Job Failed", "Job Skipped", "Job Completed"} <= states
    assert {"error_code", "error_message", "error_subcode", "error_user_title", "error_user_msg"} <= set(failed)
    assert unfinished.status_code == 400
    assert "error_code" not in old_status  # the error fields arrived with v25.0


def exchange(seed: int) -> list[bytes]:
    """A fixed sequence of requests, including faults, paging and an async run."""
    bodies = []
    account = World(seed, SIZE, TODAY).accounts[0].account_id
    with running_simulator(seed=seed, size=SIZE, today=TODAY, faults=0.3, fault_kinds=("transient", "server_error")) as base:
        with httpx.Client(base_url=f"{base}/v25.0", timeout=10) as client:
            daily = {**TOKEN, "level": "campaign", "fields": "campaign_id,spend,actions", "time_increment": "1", "limit": "5"}
            requests = [("GET", f"/act_{account}", {**TOKEN, "fields": "id,name,currency"}),
                        ("GET", f"/act_{account}/ads", {**TOKEN, "fields": "id,campaign{name},adset{start_time}"}),
                        ("GET", f"/act_{account}/insights", daily),
                        ("POST", f"/act_{account}/insights", daily),
                        ("GET", "/act_1", TOKEN)]
            for method, path, params in requests * 3:
                if method == "GET":
                    response = client.get(path, params=params)
                else:
                    response = client.post(path, data=params)
                bodies.append(response.content)
                next_url = response.json().get("paging", {}).get("next") if response.status_code == 200 else None
                if next_url:
                    bodies.append(httpx.get(next_url).content)
    # The base URL (a free port) is the only part of `paging.next` that differs between servers.
    escaped = base.replace("/", "\\/").encode()
    return [body.replace(escaped, b"BASE") for body in bodies]


def test_same_seed_same_requests_give_byte_identical_bodies() -> None:
    first, second = exchange(seed=11), exchange(seed=11)
    assert first == second
    assert any(b'"is_transient":true' in body for body in first)
    assert any(b'"report_run_id"' in body for body in first) and any(b"BASE" in body for body in first)
    assert exchange(seed=12) != first
