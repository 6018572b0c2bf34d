"""Usage headers slow down or stop calls to one account only."""

import json

import pytest

from pipelines.graph.throttle import Pacer, PacingPolicy, Usage, parse_usage


@pytest.mark.parametrize(
    ("headers", "percent", "regain"),
    [
        ({}, 0.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": 28, "total_time": 25, "total_cputime": 25})}, 28.0, 0.0),
        ({"X-FB-Ads-Insights-Throttle": json.dumps({"app_id_util_pct": 12, "acc_id_util_pct": 91.5})}, 91.5, 0.0),
        ({"x-ad-account-usage": json.dumps({"acc_id_util_pct": 9.67, "reset_time_duration": 100})}, 9.67, 0.0),
        ({"x-business-use-case-usage": json.dumps({"1": [{"type": "ads_insights", "call_count": 96, "estimated_time_to_regain_access": 3}],
                                                    "2": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 9}]})}, 96.0, 180.0),
        ({"x-business-use-case-usage": json.dumps({"777": [{"type": "ads_insights", "total_time": 80}]})}, 80.0, 0.0),
        ({"x-app-usage": "not json"}, 0.0, 0.0),
    ],
)
def test_parse_usage(headers, percent, regain):
    """The account's own BUC entry wins; otherwise the worst entry (keyed by business)."""
    assert parse_usage(headers, "1") == Usage(percent, regain)


def test_pacer_blocks_only_the_throttled_account():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(PacingPolicy(min_stop_seconds=60, slow_percent=75, slow_seconds=5), clock=lambda: now[0], sleep=sleep)
    pacer.observe("1", Usage(percent=99.0))
    pacer.wait_for_call("2")
    assert slept == []
    pacer.wait_for_call("1")
    assert slept == [60.0]
    pacer.observe("2", Usage(percent=80.0))
    pacer.wait_for_new_job("2")
    assert slept == [60.0, 5]
