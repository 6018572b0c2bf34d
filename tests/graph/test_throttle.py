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


BUC = "x-business-use-case-usage"


@pytest.mark.parametrize(
    ("headers", "account", "percent", "regain"),
    [
        ({"x-app-usage": json.dumps({"call_count": 1, "total_time": 2, "total_cputime": 33})}, "1", 33.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": 1, "total_time": 44, "total_cputime": 2})}, "1", 44.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": True})}, "1", 0.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": "x"})}, "1", 0.0, 0.0),
        ({BUC: json.dumps({"1": [{"estimated_time_to_regain_access": "0.01"}]})}, "1", 0.0, 0.6),
        ({"x-app-usage": json.dumps({"call_count": "30", "total_time": True, "total_cputime": "x"})}, "1", 30.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": [99], "total_time": None})}, "1", 0.0, 0.0),
        ({"x-app-usage": json.dumps([99])}, "1", 0.0, 0.0),
        ({"x-app-usage": ""}, "1", 0.0, 0.0),
        ({"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 70, "acc_id_util_pct": 1})}, "1", 70.0, 0.0),
        ({"x-app-usage": json.dumps({"call_count": 10}), "x-ad-account-usage": json.dumps({"acc_id_util_pct": 20})},
         "1", 20.0, 0.0),
        # the account's entry is not a list: the worst of the lists
        ({BUC: json.dumps({"1": "x", "2": [{"call_count": 50}]})}, "1", 50.0, 0.0),
        ({BUC: json.dumps({"1": [{"call_count": 5}], "2": [{"total_cputime": 60}]})}, None, 60.0, 0.0),
        ({BUC: json.dumps({"1": ["x", {"total_cputime": 40}]})}, "1", 40.0, 0.0),
        ({BUC: json.dumps({"1": [{"estimated_time_to_regain_access": 2}, {"estimated_time_to_regain_access": 1}]})},
         "1", 0.0, 120.0),
        ({BUC: json.dumps(["x"])}, "1", 0.0, 0.0),
    ],
)
def test_parse_usage_reads_every_documented_key_and_ignores_what_does_not_parse(headers, account, percent, regain):
    assert parse_usage(headers, account) == Usage(percent, regain)


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def pacer(clock: Clock, **policy) -> Pacer:
    return Pacer(PacingPolicy(**policy), clock=lambda: clock.now, sleep=clock.sleep)


@pytest.mark.parametrize(
    ("usage", "wait"),
    [
        (Usage(percent=95.0), 60.0),  # at the stop threshold
        (Usage(percent=94.9), None),
        (Usage(percent=10.0, regain_seconds=30.0), 60.0),  # never less than min_stop_seconds
        (Usage(percent=10.0, regain_seconds=0.5), 60.0),  # any estimate blocks
        (Usage(percent=10.0, regain_seconds=120.0), 120.0),
        (Usage(percent=10.0, regain_seconds=7200.0), 3600.0),  # capped at max_wait_seconds
    ],
)
def test_observed_usage_blocks_the_account(usage, wait):
    clock = Clock()
    paced = pacer(clock)
    paced.observe("1", usage)
    paced.wait_for_call("1")
    assert clock.slept == ([] if wait is None else [wait])
    assert paced.waited_seconds == (wait or 0.0)


def test_a_block_never_shortens_an_earlier_one_and_waits_only_for_what_is_left():
    clock = Clock()
    paced = pacer(clock)
    paced.throttled("1", 100.0, 5.0)
    paced.throttled("1", 10.0, 5.0)
    clock.now = 20.0
    paced.wait_for_call("1")
    assert clock.slept == [80.0] and paced.waited_seconds == 80.0
    paced.wait_for_call("1")
    assert clock.slept == [80.0]


def test_a_throttling_error_without_meta_s_estimate_waits_the_fallback():
    clock = Clock()
    paced = pacer(clock)
    paced.throttled("1", 0.0, 7.0)
    paced.wait_for_call("1")
    paced.throttled("2", 30.0, 7.0)
    paced.wait_for_call("2")
    assert clock.slept == [7.0, 30.0]


@pytest.mark.parametrize(("percent", "slowed"), [(75.0, True), (74.9, False), (99.0, True)])
def test_new_jobs_slow_down_from_the_slow_threshold(percent, slowed):
    clock = Clock()
    paced = pacer(clock, slow_seconds=5.0, stop_percent=100.0)
    paced.observe("1", Usage(percent=percent))
    paced.wait_for_new_job("1")
    paced.wait_for_new_job("2")
    assert clock.slept == ([5.0] if slowed else [])
    assert paced.waited_seconds == (5.0 if slowed else 0.0)


def test_the_default_policy():
    assert Pacer().policy == PacingPolicy(slow_percent=75.0, stop_percent=95.0, slow_seconds=5.0,
                                          min_stop_seconds=60.0, max_wait_seconds=3600.0)


def test_a_throttling_error_with_an_estimate_under_a_second_waits_that_estimate():
    clock = Clock()
    paced = pacer(clock)
    paced.throttled("1", 0.5, 7.0)
    paced.wait_for_call("1")
    assert clock.slept == [0.5]


def test_the_time_waited_adds_up_over_calls_and_new_jobs():
    clock = Clock()
    paced = pacer(clock, slow_seconds=5.0, stop_percent=100.0)
    paced.throttled("1", 30.0, 7.0)
    paced.wait_for_call("1")
    paced.throttled("1", 20.0, 7.0)
    paced.wait_for_call("1")
    assert paced.waited_seconds == 50.0
    paced.observe("2", Usage(percent=80.0))
    paced.wait_for_new_job("2")
    paced.wait_for_new_job("2")
    assert clock.slept == [30.0, 20.0, 5.0, 5.0] and paced.waited_seconds == 60.0


def test_a_new_job_waits_for_its_account_s_block_first():
    clock = Clock()
    paced = pacer(clock)
    paced.throttled("1", 40.0, 7.0)
    paced.wait_for_new_job("1")
    assert clock.slept == [40.0]


def test_an_account_never_observed_is_at_no_usage():
    clock = Clock()
    paced = pacer(clock, slow_percent=1.0, slow_seconds=5.0)
    paced.wait_for_new_job("1")
    assert clock.slept == []
