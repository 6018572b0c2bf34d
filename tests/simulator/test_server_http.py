"""The simulator over real loopback HTTP: auth, appsecret_proof, paging, async runs, limits, faults."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.simulator.clock import ManualClock

TODAY = date(2026, 6, 17)
SIZE = WorldSize(accounts=2, campaigns_per_account=6, days=60, sends_per_campaign_day=150)
TOKEN = "test-token"
WORLD = World(7, SIZE, TODAY)
ACCOUNT = WORLD.accounts[0].account_id
CAMPAIGN = WORLD.campaigns(ACCOUNT)[0].message_campaign_id
DAILY = {
    "level": "campaign",
    "fields": "campaign_id,marketing_messages_spend,actions",
    "time_increment": "1",
    "date_preset": "last_14d",
}


CLOCK = ManualClock()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_simulator(seed=7, size=SIZE, today=TODAY, access_token=TOKEN, empty_page_rate=0.5,
                           clock=CLOCK, job_seconds=10.0) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/v25.0", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as c:
        yield c


def error_of(response: httpx.Response) -> dict:
    return response.json()["error"]


def test_token_in_header_or_parameter(base_url: str) -> None:
    url = f"{base_url}/v25.0/act_{ACCOUNT}"
    assert httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).json() == {"id": f"act_{ACCOUNT}"}
    assert httpx.get(url, params={"access_token": TOKEN}).status_code == 200


@pytest.mark.parametrize(("headers", "params", "code"), [({}, {}, 104), ({"Authorization": "Bearer nope"}, {}, 190),
                                                         ({}, {"access_token": "nope"}, 190)])
def test_missing_or_wrong_token_is_an_oauth_error(base_url: str, headers: dict, params: dict, code: int) -> None:
    response = httpx.get(f"{base_url}/v25.0/act_{ACCOUNT}", headers=headers, params=params)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code and error["type"] == "OAuthException" and error["fbtrace_id"]
    assert "nope" not in response.text


def test_unknown_account_and_object(client: httpx.Client) -> None:
    for path in ("act_123", "999"):
        response = client.get(f"/{path}")
        assert response.status_code == 400
        error = error_of(response)
        assert error["code"] == 100 and error["error_subcode"] == 33 and path in error["message"]


def test_forbidden_account_is_code_200() -> None:
    with running_simulator(size=SIZE, today=TODAY, forbidden_accounts=frozenset({ACCOUNT})) as url:
        response = httpx.get(f"{url}/v25.0/act_{ACCOUNT}/insights", params={"access_token": "sim-token"})
    assert response.status_code == 400 and error_of(response)["code"] == 200


def test_deprecated_version_is_refused(base_url: str) -> None:
    response = httpx.get(f"{base_url}/v12.0/act_{ACCOUNT}", params={"access_token": TOKEN})
    assert error_of(response)["code"] == 2635


def test_appsecret_proof_is_required_and_checked() -> None:
    proof = hmac.new(b"s3cret", TOKEN.encode(), hashlib.sha256).hexdigest()
    with running_simulator(size=SIZE, today=TODAY, access_token=TOKEN, app_secret="s3cret") as url:
        target = f"{url}/v25.0/act_{ACCOUNT}"
        missing = httpx.get(target, params={"access_token": TOKEN})
        wrong = httpx.get(target, params={"access_token": TOKEN, "appsecret_proof": "0" * 64})
        right = httpx.get(target, params={"access_token": TOKEN, "appsecret_proof": proof})
    assert missing.status_code == wrong.status_code == 400
    assert "appsecret_proof" in error_of(missing)["message"] and "appsecret_proof" in error_of(wrong)["message"]
    assert right.status_code == 200


def test_paging_follows_next_through_empty_pages(client: httpx.Client) -> None:
    """A page may be empty and still have `next`; the rows are all there only if one keeps going."""
    first = client.get(f"/act_{ACCOUNT}/insights", params={**DAILY, "limit": "7"})
    assert first.status_code == 200
    body, rows, empty_pages = first.json(), [], 0
    while True:
        rows += body["data"]
        empty_pages += not body["data"] and "next" in body["paging"]
        if "next" not in body["paging"]:
            break
        assert f"access_token={TOKEN}" in body["paging"]["next"]
        assert body["paging"]["next"].startswith("http://127.0.0.1:")
        body = httpx.get(body["paging"]["next"]).json()
    everything = client.get(f"/act_{ACCOUNT}/insights", params={**DAILY, "limit": "1000"}).json()
    assert rows == everything["data"] and len(rows) > 14
    assert empty_pages >= 1


def test_listing_filters_and_pages(client: httpx.Client) -> None:
    fields = "id,campaign{id,is_message_campaign}"
    mm = json.dumps([{"field": "campaign.is_message_campaign", "operator": "EQUAL", "value": True}])
    not_mm = json.dumps([{"field": "campaign.is_message_campaign", "operator": "EQUAL", "value": False}])
    listed = client.get(f"/act_{ACCOUNT}/ads", params={"fields": fields, "filtering": mm, "limit": "100"}).json()
    assert {ad["campaign"]["id"] for ad in listed["data"]} == {c.message_campaign_id for c in WORLD.campaigns(ACCOUNT)}
    assert client.get(f"/act_{ACCOUNT}/ads", params={"fields": fields, "filtering": not_mm}).json()["data"] == []
    bad = client.get(f"/act_{ACCOUNT}/ads", params={"after": "garbage!"})
    assert error_of(bad)["code"] == 2642


def test_too_wide_a_synchronous_query_asks_to_reduce_data(client: httpx.Client) -> None:
    params = {**DAILY, "date_preset": "maximum"}
    response = client.get(f"/act_{ACCOUNT}/insights", params=params)
    error = error_of(response)
    assert "Please reduce the amount of data" in error["message"]
    assert (error["code"], error["error_subcode"]) == (100, 1487534)


def test_async_report_run_progresses_then_serves_rows(client: httpx.Client) -> None:
    params = {**DAILY, "date_preset": "maximum"}
    run_id = client.post(f"/act_{ACCOUNT}/insights", data=params).json()["report_run_id"]
    assert client.get(f"/{run_id}/insights").status_code == 400  # not finished yet
    seen = []
    for _ in range(3):  # polling alone does not move a run on: time does
        status = client.get(f"/{run_id}").json()
        seen.append((status["async_status"], status["async_percent_completion"]))
    for _ in range(60):
        CLOCK.advance(1.0)
        status = client.get(f"/{run_id}").json()
        seen.append((status["async_status"], status["async_percent_completion"]))
        if status["async_status"] == "Job Completed":
            break
    assert seen[:3] == [("Job Not Started", 0)] * 3
    assert any(state == "Job Started" for state, _ in seen)
    assert any(state == "Job Running" and 0 < pct < 100 for state, pct in seen)
    assert seen[-1] == ("Job Completed", 100)
    assert status["account_id"] == ACCOUNT and isinstance(status["time_ref"], int)
    rows = client.get(f"/{run_id}/insights", params={"limit": "5000"}).json()["data"]
    dates = {row["date_start"] for row in rows}
    assert len(rows) > 60 and min(dates) < "2026-05-01"


def test_campaign_edge_insights(client: httpx.Client) -> None:
    body = client.get(f"/{CAMPAIGN}/insights", params={"fields": "campaign_id,marketing_messages_delivered"}).json()
    assert [row["campaign_id"] for row in body["data"]] == [CAMPAIGN]


def test_usage_headers_rise_with_the_request_rate(base_url: str) -> None:
    with running_simulator(size=SIZE, today=TODAY, account_budget=10, app_budget=1000) as url:
        headers = [
            httpx.get(f"{url}/v25.0/act_{ACCOUNT}/insights", params={"access_token": "sim-token"}).headers
            for _ in range(4)
        ]
    usage = [json.loads(h["x-business-use-case-usage"])[ACCOUNT][0] for h in headers]
    assert [u["call_count"] for u in usage] == [10, 20, 30, 40]
    assert all(u["type"] == "ads_insights" for u in usage)
    assert json.loads(headers[-1]["x-fb-ads-insights-throttle"])["acc_id_util_pct"] == 40
    assert json.loads(headers[-1]["x-app-usage"])["call_count"] == 1


@pytest.mark.parametrize(
    ("edge", "code", "subcode"),
    [("insights", 80000, 2446079), ("ads", 17, 2446079), ("message_delivery_estimate", 613, 1487742)],
)
def test_over_budget_is_a_throttling_error(edge: str, code: int, subcode: int) -> None:
    with running_simulator(size=SIZE, today=TODAY, account_budget=3, throttle_window_seconds=600) as url:
        params = {"access_token": "sim-token", "promoted_object": f'{{"page_id":"{WORLD.accounts[0].pages[0]}"}}'}
        responses = [httpx.get(f"{url}/v25.0/act_{ACCOUNT}/{edge}", params=params) for _ in range(5)]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    refused = responses[3]
    assert refused.status_code == 400
    assert (error_of(refused)["code"], error_of(refused)["error_subcode"]) == (code, subcode)
    regain = json.loads(refused.headers["x-business-use-case-usage"])[ACCOUNT][0]["estimated_time_to_regain_access"]
    assert 1 <= regain <= 10


def test_app_budget_gives_code_4() -> None:
    with running_simulator(size=SIZE, today=TODAY, app_budget=2) as url:
        responses = [httpx.get(f"{url}/v25.0/act_{ACCOUNT}", params={"access_token": "sim-token"}) for _ in range(3)]
    assert error_of(responses[2])["code"] == 4


def test_estimate(client: httpx.Client) -> None:
    page_id = WORLD.accounts[0].pages[0]
    response = client.get(
        f"/act_{ACCOUNT}/message_delivery_estimate",
        params={"promoted_object": f"{{page_id: {page_id}}}", "daily_budget": "5000", "pacing_type": "no_pacing",
                "targeting_spec": '{messenger_positions: ["marketing_messages"], publisher_platforms:["messenger"]}'},
    )
    (row,) = response.json()["data"]
    assert row["estimate_delivery_lower_bound"] <= row["estimate_delivery_upper_bound"]
    assert all(isinstance(v, int) for v in row.values())
    other_page = client.get(f"/act_{ACCOUNT}/message_delivery_estimate", params={"promoted_object": '{"page_id":"1"}'})
    assert error_of(other_page)["code"] == 100


@pytest.mark.parametrize(
    ("edge", "params", "named"),
    [("insights", {**DAILY, "limit": "²"}, "limit"), ("insights", {**DAILY, "time_increment": "²"}, "time_increment"),
     ("insights", {**DAILY, "date_preset": "last_²d"}, "date_preset"),
     ("message_delivery_estimate", {"daily_budget": "²"}, "daily_budget"),
     # int() refuses more than 4300 digits: a parameter error too, not a 500 or Python's message.
     ("insights", {**DAILY, "limit": "9" * 5000}, "limit"),
     ("insights", {**DAILY, "time_increment": "9" * 5000}, "time_increment"),
     ("insights", {**DAILY, "date_preset": f"last_{'9' * 5000}d"}, "date_preset"),
     ("message_delivery_estimate", {"daily_budget": "9" * 5000}, "daily_budget")],
)
def test_numbers_int_cannot_read_are_a_parameter_error(client: httpx.Client, edge: str, params: dict,
                                                       named: str) -> None:
    """str.isdigit accepts '²' and int() refuses it, or a number of 5000 digits: the simulator answers
    Meta's #100, naming the parameter."""
    if edge == "message_delivery_estimate":
        params = {**params, "promoted_object": f'{{"page_id":"{WORLD.accounts[0].pages[0]}"}}'}
    response = client.get(f"/act_{ACCOUNT}/{edge}", params=params)
    assert response.status_code == 400
    assert error_of(response)["code"] == 100 and named in error_of(response)["message"]
