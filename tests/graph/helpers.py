"""A tiny scripted Graph API on httpx.MockTransport for the client's unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from pipelines.graph.client import GraphClient, RetryPolicy
from pipelines.graph.throttle import PacingPolicy

BASE = "https://graph.test"
TOKEN = "canary-token-0123456789"
SECRET = "app-secret-abc"


def ok(body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, text=json.dumps(body), headers=headers)


def error(code: int, subcode: int | None = None, message: str = "boom", status: int = 400, **extra: Any) -> httpx.Response:
    envelope: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        envelope["error_subcode"] = subcode
    return httpx.Response(status, text=json.dumps({"error": envelope}))


def params_of(request: httpx.Request) -> dict[str, str]:
    """Query parameters, plus form fields for POSTs."""
    values = {k: v[0] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}
    if request.method == "POST" and request.content:
        body = json.loads(request.content)
        values.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    return values


class Recorder:
    """Wraps a handler and records every request it sees."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def client_for(handler: Callable[[httpx.Request], httpx.Response], *, app_secret: str | None = None, attempts: int = 5) -> tuple[GraphClient, list[float]]:
    """A client on the scripted handler whose sleeps are recorded, not slept."""
    slept: list[float] = []
    client = GraphClient(
        BASE,
        "v25.0",
        TOKEN,
        app_secret,
        retry=RetryPolicy(max_attempts=attempts, base_seconds=0.01, max_seconds=0.05),
        pacing=PacingPolicy(slow_seconds=0.0, min_stop_seconds=0.0),
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        seed=1,
    )
    return client, slept


class FakeReports:
    """Async insights jobs: `outcome(since, until, n)` picks what the n-th job for a range does:
    "ok", "Job Failed", "Job Skipped", "too_large" (failed with -3/1504045), "reduce" (POST error)
    or "never" (stays at 0 %). Completed jobs return one row per day for campaign "c1"."""

    def __init__(
        self, outcome: Callable[[str, str, int], str] = lambda s, u, n: "ok", polls: int = 2, regular: bool = False
    ) -> None:
        self.outcome = outcome
        self.regular = regular
        self.polls = polls
        self.jobs: list[tuple[str, str, str]] = []
        self.submitted: dict[tuple[str, str], int] = {}
        self.poll_count: dict[str, int] = {}
        self.results: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v25.0/")
        if request.method == "POST" and path.endswith("/insights"):
            time_range = json.loads(params_of(request)["time_range"])
            key = (time_range["since"], time_range["until"])
            self.submitted[key] = self.submitted.get(key, 0) + 1
            result = self.outcome(key[0], key[1], self.submitted[key])
            if result == "reduce":
                return error(1, 99, "Please reduce the amount of data you're asking for, then retry your request", status=500)
            run_id = f"run{len(self.jobs)}"
            self.jobs.append((run_id, *key))
            self.poll_count[run_id] = 0
            self.results[run_id] = result
            return ok({"report_run_id": run_id})
        if path.endswith("/ads"):
            return ok({"data": [{"id": "a1", "campaign": {"id": "c1", "is_message_campaign": True}}]})
        if path.startswith("act_") and request.method == "GET":
            return ok({"id": path, "account_id": path.removeprefix("act_"), "currency": "USD", "timezone_name": "America/New_York"})
        run_id, _, edge = path.partition("/")
        result = self.results[run_id]
        if not edge:
            self.poll_count[run_id] += 1
            if result == "never":
                return ok({"id": run_id, "async_status": "Job Not Started", "async_percent_completion": 0})
            if self.poll_count[run_id] < self.polls:
                return ok({"id": run_id, "async_status": "Job Running", "async_percent_completion": 50})
            if result == "ok":
                return ok({"id": run_id, "async_status": "Job Completed", "async_percent_completion": 100})
            if result == "forbidden":
                return ok({"id": run_id, "async_status": "Job Failed", "async_percent_completion": 0, "error_code": 200, "error_message": "Permissions error"})
            if result == "too_large":
                return ok({"id": run_id, "async_status": "Job Failed", "async_percent_completion": 0, "error_code": -3, "error_subcode": 1504045})
            return ok({"id": run_id, "async_status": result, "async_percent_completion": 0})
        _, since, until = next(j for j in self.jobs if j[0] == run_id)
        rows = []
        day = date.fromisoformat(since)
        while day <= date.fromisoformat(until):
            rows.append(
                {
                    "campaign_id": "c1",
                    "account_currency": "USD",
                    "marketing_messages_spend": "1.25",
                    "marketing_messages_delivered": "10",
                    "marketing_messages_link_btn_click": "2",
                    "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "1", "7d_click": "1"}],
                    "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "9.99", "7d_click": "9.99"}],
                    "date_start": day.isoformat(),
                    "date_stop": day.isoformat(),
                }
            )
            if self.regular:  # a regular ad campaign of the account: `spend`, no marketing_messages_*
                rows.append({"campaign_id": "r9", "spend": "5.00", "date_start": day.isoformat(), "date_stop": day.isoformat()})
            day += timedelta(days=1)
        return ok({"data": rows})
