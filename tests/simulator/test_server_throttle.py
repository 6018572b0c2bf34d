"""Sliding-window usage: percentages rise with calls, refusals past the budget, recovery after the window."""

from __future__ import annotations

import json

import pytest

from pipelines.simulator.throttle import Throttle, usage_headers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_usage_rises_then_refuses_then_recovers() -> None:
    clock = Clock()
    throttle = Throttle(app_budget=100, account_budget=4, window_seconds=120, clock=clock)
    usages = []
    for _ in range(5):
        usages.append(throttle.record("42", "ads_insights"))
        clock.now += 10
    assert [u.account_pct for u in usages] == [25, 50, 75, 100, 100]
    assert [u.refused for u in usages[:4]] == [None] * 4
    refused = usages[4]
    assert (refused.refused.code, refused.refused.subcode) == (80000, 2446079)
    assert refused.regain_minutes == 2  # the first call leaves the 120 s window 80 s later: 2 minutes, rounded up
    clock.now += 200
    recovered = throttle.record("42", "ads_insights")
    assert recovered.refused is None and recovered.account_pct == 25


@pytest.mark.parametrize(("kind", "code"), [("ads_insights", 80000), ("ads_management", 17), ("estimate", 613)])
def test_error_per_kind_of_call(kind: str, code: int) -> None:
    throttle = Throttle(account_budget=1, clock=Clock())
    throttle.record("42", kind)
    assert throttle.record("42", kind).refused.code == code


def test_accounts_have_separate_budgets_and_the_app_has_its_own() -> None:
    throttle = Throttle(app_budget=3, account_budget=2, clock=Clock())
    assert throttle.record("1").refused is None
    assert throttle.record("2").refused is None
    assert throttle.record("2").refused is None
    app_refusal = throttle.record("3").refused
    assert app_refusal.code == 4


def test_headers_are_json_strings_keyed_by_account() -> None:
    throttle = Throttle(account_budget=10, clock=Clock())
    headers = usage_headers(throttle.record("42", "ads_insights"), "42", "ads_insights")
    assert json.loads(headers["x-business-use-case-usage"])["42"][0]["call_count"] == 10
    assert json.loads(headers["x-fb-ads-insights-throttle"])["acc_id_util_pct"] == 10
    app_only = usage_headers(throttle.record(None), None)
    assert set(app_only) == {"x-app-usage"}
