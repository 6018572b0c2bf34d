"""Async report runs: one job per range; resubmit, split and give up exactly as documented."""

from datetime import date

import pytest

from pipelines.graph.async_reports import PollPolicy, ReportRunner
from pipelines.graph.errors import GraphError, GraphPermissionError, GraphUsageError
from pipelines.graph.insights import insights_params
from pipelines.graph.pull import for_each_account, pull_insights
from tests.graph.helpers import FakeReports, client_for, error

SINCE, UNTIL = date(2026, 1, 1), date(2026, 3, 31)  # 90 days
FAST = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0, stall_seconds=5.0)


def _run(fake, since=SINCE, until=UNTIL, policy=FAST):
    client, _ = client_for(fake)
    runner = ReportRunner(client, "1", policy, sleep=lambda s: None)
    rows = runner.rows(lambda s, u: insights_params(s, u, ("7d_click",)), since, until)
    return runner, rows


def test_one_job_covers_the_whole_range():
    fake = FakeReports()
    runner, rows = _run(fake)
    assert runner.jobs == 1 and len(fake.jobs) == 1
    assert len(rows) == 90 and fake.poll_count["run0"] == 2


def test_failed_job_is_resubmitted_once_then_the_range_is_split():
    fake = FakeReports(lambda s, u, n: "Job Failed" if (s, u) == ("2026-01-01", "2026-03-31") else "ok")
    runner, rows = _run(fake)
    assert fake.submitted[("2026-01-01", "2026-03-31")] == 2
    assert ("2026-01-01", "2026-02-14") in fake.submitted and ("2026-02-15", "2026-03-31") in fake.submitted
    assert len(rows) == 90 and runner.splits == 1


def test_failed_then_completed_is_one_resubmission():
    fake = FakeReports(lambda s, u, n: "Job Failed" if n == 1 else "ok")
    runner, rows = _run(fake)
    assert runner.jobs == 2 and runner.splits == 0 and len(rows) == 90


def test_skipped_job_is_resubmitted_without_splitting():
    fake = FakeReports(lambda s, u, n: "Job Skipped" if n <= 3 else "ok")
    runner, rows = _run(fake)
    assert runner.jobs == 4 and runner.splits == 0 and len(rows) == 90


@pytest.mark.parametrize("outcome", ["reduce", "too_large"])
def test_reduce_the_amount_of_data_splits_at_once(outcome):
    """Meta asking for less is answered with halves, never with the same request again."""
    fake = FakeReports(lambda s, u, n: outcome if s == "2026-01-01" and u == "2026-03-31" else "ok")
    runner, rows = _run(fake)
    assert fake.submitted[("2026-01-01", "2026-03-31")] == 1
    assert len(rows) == 90 and runner.splits == 1
    assert sorted(r["date_start"] for r in rows) == sorted({r["date_start"] for r in rows})


def test_a_single_day_that_keeps_failing_raises_one_line():
    fake = FakeReports(lambda s, u, n: "Job Failed")
    with pytest.raises(GraphError, match=r"act_1: insights report for 2026-01-01 failed: Job Failed"):
        _run(fake, SINCE, SINCE)


def test_a_job_stuck_at_zero_times_out_and_is_resubmitted():
    clock = iter(range(0, 10_000, 3))
    fake = FakeReports(lambda s, u, n: "never" if n == 1 else "ok")
    client, _ = client_for(fake)
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=100.0, stall_seconds=10.0)
    runner = ReportRunner(client, "1", policy, clock=lambda: float(next(clock)), sleep=lambda s: None)
    rows = runner.rows(lambda s, u: insights_params(s, u, ()), SINCE, date(2026, 1, 3))
    assert runner.jobs == 2 and len(rows) == 3


def test_poll_delay_grows_to_the_ceiling():
    slept = []
    fake = FakeReports(polls=6)
    client, _ = client_for(fake)
    runner = ReportRunner(client, "1", PollPolicy(initial_seconds=1, max_seconds=4), sleep=slept.append)
    runner.rows(lambda s, u: insights_params(s, u, ()), SINCE, SINCE)
    assert slept == [1, 2, 4, 4, 4, 4]


def test_pull_insights_parses_rows_and_actions():
    fake = FakeReports(regular=True)
    client, _ = client_for(fake)
    pull = pull_insights(client, "1", SINCE, date(2026, 1, 2), ["7d_click", "1d_view"], FAST)
    assert [r.date for r in pull.rows] == [date(2026, 1, 1), date(2026, 1, 2)]
    assert {(a.attribution_window, str(a.conversion_value)) for a in pull.actions} == {("default", "9.99"), ("7d_click", "9.99")}
    assert pull.jobs == 1 and pull.account.timezone_name == "America/New_York"
    assert {r.message_campaign_id for r in pull.rows} == {"c1"} and pull.skipped_rows == 2


def test_deprecated_window_is_refused_before_any_call():
    fake = FakeReports()
    client, _ = client_for(fake)
    with pytest.raises(Exception, match="7d_view.*deprecated"):
        pull_insights(client, "1", SINCE, UNTIL, ["7d_click", "7d_view"], FAST)
    assert client.stats.requests == 0


def test_one_failing_account_cancels_the_others_and_its_error_wins():
    """Account 2 is forbidden; account 1's job never finishes: the run stops at once with 2's error."""
    fake = FakeReports(lambda s, u, n: "never")

    def handler(request):
        if "act_2" in request.url.path:
            return error(200, message="Permissions error")
        return fake(request)

    client, _ = client_for(handler)
    slow = PollPolicy(initial_seconds=0.01, max_seconds=0.01, timeout_seconds=600, stall_seconds=600)
    with pytest.raises(GraphPermissionError, match="act_2"):
        for_each_account(["1", "2"], lambda a: pull_insights(client, a, SINCE, SINCE, ["7d_click"], slow), client)


def test_a_job_failed_for_permissions_fails_at_once():
    fake = FakeReports(lambda s, u, n: "forbidden")
    with pytest.raises(GraphPermissionError, match="act_1: missing permission .code 200."):
        _run(fake)
    assert len(fake.jobs) == 1


def test_a_start_older_than_37_months_is_refused_before_any_job():
    fake = FakeReports()
    client, _ = client_for(fake)
    with pytest.raises(GraphUsageError, match="more than 37 months ago"):
        pull_insights(client, "1", date(2020, 1, 1), date(2020, 1, 31), ["7d_click"], FAST)
    assert fake.jobs == []
