"""Polling a report run, exactly (meta-api.md §1.7): `Job Completed` and 100 % ends the wait, a
failed run's error fields decide between failing, splitting and resubmitting, and the timeout,
stall limit and delays hold at their boundaries."""

from datetime import date

import pytest

from pipelines.graph.async_reports import PollPolicy, ReportRunner
from pipelines.graph.errors import GraphAuthError, GraphError, GraphPermissionError
from pipelines.graph.insights import insights_params
from tests.graph.helpers import TOKEN, client_for, ok

DAY = date(2026, 1, 1)


class Polls:
    """One job per submission (`r1`, `r2`, ...); each poll answers the next body of `polls`
    (the last one again once they run out); a job's results are one row."""

    def __init__(self, *polls):
        self.polls = list(polls)
        self.jobs = 0
        self.polled = 0

    def __call__(self, request):
        path = request.url.path.removeprefix("/v25.0/")
        if request.method == "POST":
            self.jobs += 1
            return ok({"report_run_id": f"r{self.jobs}"})
        if path.endswith("/insights"):
            return ok({"data": [{"campaign_id": "c1", "date_start": "2026-01-01", "date_stop": "2026-01-01"}]})
        self.polled += 1
        return ok(self.polls[min(self.polled, len(self.polls)) - 1])


def _run(fake, policy=None, clock=None, slept=None):
    client, _ = client_for(fake)
    policy = policy or PollPolicy(initial_seconds=1.0, max_seconds=1.0, timeout_seconds=5.0, resubmit_failed=0, resubmit_skipped=0)
    kwargs = {"clock": clock} if clock else {}
    runner = ReportRunner(client, "1", policy, sleep=(slept.append if slept is not None else lambda s: None), **kwargs)
    return runner, runner.rows(lambda s, u: insights_params(s, u, ()), DAY, DAY)


def _status(status, percent, **extra):
    return {"id": "r", "async_status": status, "async_percent_completion": percent, **extra}


def test_completed_below_100_percent_is_polled_again():
    fake = Polls(_status("Job Completed", 99), _status("Job Completed", 100))
    runner, rows = _run(fake)
    assert fake.polled == 2 and runner.jobs == 1 and len(rows) == 1


@pytest.mark.parametrize("percent", ["100.0", "100"])
def test_100_written_as_a_fraction_or_a_string_is_complete(percent):
    fake = Polls({"async_status": "Job Completed", "async_percent_completion": percent})
    _, rows = _run(fake)
    assert fake.polled == 1 and len(rows) == 1


def test_running_without_a_status_is_polled_until_completed():
    fake = Polls({"id": "r"}, ["not", "a", "run"], _status("Job Completed", 100))
    _, rows = _run(fake)
    assert fake.polled == 3 and len(rows) == 1


def test_a_run_failed_on_the_token_fails_at_once_without_the_token():
    fake = Polls(_status("Job Failed", 0, error_code=190, error_message=f"Invalid token {TOKEN}"))
    with pytest.raises(GraphAuthError) as raised:
        _run(fake, PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0))
    assert fake.jobs == 1 and TOKEN not in str(raised.value)
    assert str(raised.value).startswith("act_1: access token rejected (code 190): Invalid token ")


def test_a_skipped_run_with_a_permission_error_fails_at_once():
    fake = Polls(_status("Job Skipped", 0, error_code=10, error_subcode=None, error_message="no ads_read"))
    with pytest.raises(GraphPermissionError, match=r"^act_1: missing permission \(code 10\): no ads_read$"):
        _run(fake, PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0))
    assert fake.jobs == 1


def test_a_run_failed_with_the_reduce_data_subcode_splits_not_resubmits():
    fake = Polls(_status("Job Failed", 0, error_code=-3, error_subcode=1504045))
    with pytest.raises(GraphError, match=r"failed: Job Failed \(report too large\)$"):
        _run(fake, PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0))
    assert fake.jobs == 1


def _clock(*times):
    values = iter(times)
    return lambda: float(next(values))


def test_a_run_times_out_only_after_its_timeout():
    """Started at 0; polled at 10 s (= the timeout: polled again) and at 10.5 s (past it)."""
    fake = Polls(_status("Job Running", 50))
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=10.0, stall_seconds=100.0, resubmit_failed=0)
    with pytest.raises(GraphError, match="failed: timed out$"):
        _run(fake, policy, _clock(0, 10, 10.5))
    assert fake.polled == 2


@pytest.mark.parametrize("percent", [0, "0.0"])
def test_a_run_at_0_percent_stalls_only_after_the_stall_limit(percent):
    fake = Polls(_status("Job Not Started", percent))
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=100.0, stall_seconds=10.0, resubmit_failed=0)
    with pytest.raises(GraphError, match="failed: stalled at 0 %$"):
        _run(fake, policy, _clock(0, 10, 10.5))
    assert fake.polled == 2


def test_a_run_past_the_stall_limit_above_0_percent_is_waited_for():
    fake = Polls(_status("Job Running", 1), _status("Job Completed", 100))
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=100.0, stall_seconds=10.0)
    _, rows = _run(fake, policy, _clock(0, 50))
    assert fake.polled == 2 and len(rows) == 1


def test_the_delay_grows_by_the_factor_up_to_the_ceiling():
    slept = []
    fake = Polls(*[_status("Job Running", 50)] * 4, _status("Job Completed", 100))
    _run(fake, PollPolicy(initial_seconds=0.5, factor=1.5, max_seconds=1.0, timeout_seconds=5.0), slept=slept)
    assert slept == [0.5, 0.75, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("run", [{"async_status": "Job Not Started"}, ["not", "a", "run"]])
def test_a_run_without_a_percentage_counts_as_0_percent_for_the_stall_limit(run):
    fake = Polls(run)
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=100.0, stall_seconds=10.0, resubmit_failed=0)
    with pytest.raises(GraphError, match="failed: stalled at 0 %$"):
        _run(fake, policy, _clock(0, 10.5))
    assert fake.polled == 1


def test_a_failed_run_without_a_message_fails_with_an_empty_one():
    fake = Polls(_status("Job Failed", 0, error_code=200))
    with pytest.raises(GraphPermissionError) as raised:
        _run(fake)
    assert str(raised.value) == "act_1: missing permission (code 200): "


def test_a_failed_run_s_message_loses_the_token_before_it_is_cut():
    """The token straddles the 300-character cut: no part of it is kept."""
    fake = Polls(_status("Job Failed", 0, error_code=200, error_message="x" * 290 + TOKEN))
    with pytest.raises(GraphPermissionError) as raised:
        _run(fake)
    assert TOKEN[:10] not in str(raised.value)
    assert str(raised.value).startswith("act_1: missing permission (code 200): " + "x" * 290)
