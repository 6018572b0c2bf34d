"""Report runs, exactly: what each range reports to `on_progress`, how often a range is resubmitted
before it is given up on, and the reason a single day's failure names."""

from datetime import date

import pytest

from pipelines.graph.async_reports import PollPolicy, ReportRunner
from pipelines.graph.errors import GraphError, GraphPermissionError
from pipelines.graph.insights import insights_params
from tests.graph.helpers import FakeReports, Recorder, client_for, error, ok, params_of
from tests.graph.test_sync_reports import SyncThenAsync

DAY = date(2026, 1, 1)
FAST = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0, stall_seconds=5.0)
SYNC = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0, stall_seconds=5.0, sync_max_rows=100)


def _runner(handler, policy=FAST, progress=None):
    client, _ = client_for(handler)
    return ReportRunner(client, "1", policy, sleep=lambda s: None, on_progress=progress)


def _params(since, until):
    return insights_params(since, until, ("7d_click",))


def test_a_synchronous_read_reports_its_account_and_range():
    seen = []
    runner = _runner(SyncThenAsync(), SYNC, lambda *args: seen.append(args))
    runner.rows(_params, DAY, date(2026, 1, 7), 1)
    assert seen == [("1", date(2026, 1, 1), date(2026, 1, 7))]


def test_an_async_job_reports_each_range_it_read_after_a_split():
    seen = []
    fake = FakeReports(lambda s, u, n: "too_large" if (s, u) == ("2026-01-01", "2026-01-04") else "ok")
    runner = _runner(fake, progress=lambda *args: seen.append(args))
    runner.rows(_params, DAY, date(2026, 1, 4))
    assert seen == [("1", date(2026, 1, 1), date(2026, 1, 2)), ("1", date(2026, 1, 3), date(2026, 1, 4))]


def test_synchronous_reads_are_counted_over_the_runner_s_ranges():
    runner = _runner(SyncThenAsync(), SYNC)
    runner.rows(_params, DAY, date(2026, 1, 7), 1)
    runner.rows(_params, DAY, date(2026, 1, 7), 1)
    assert (runner.sync_reads, runner.jobs) == (2, 0)


@pytest.mark.parametrize(
    ("outcome", "reason", "submissions"),
    [
        ("reduce", "Meta asked for less data", 1),
        ("too_large", "Job Failed (report too large)", 1),
        ("Job Failed", "Job Failed", 2),  # resubmit_failed=1: once more
        ("Job Skipped", "Job Skipped", 4),  # resubmit_skipped=3: three more
    ],
)
def test_a_single_day_is_given_up_on_with_its_reason_after_its_resubmissions(outcome, reason, submissions):
    fake = FakeReports(lambda s, u, n: outcome)
    runner = _runner(fake)
    with pytest.raises(GraphError) as raised:
        runner.rows(_params, DAY, DAY)
    assert str(raised.value) == f"act_1: insights report for 2026-01-01 failed: {reason}"
    assert fake.submitted == {("2026-01-01", "2026-01-01"): submissions}


def test_failed_jobs_are_resubmitted_as_often_as_the_policy_says():
    fake = FakeReports(lambda s, u, n: "Job Failed")
    runner = _runner(fake, PollPolicy(initial_seconds=0.0, max_seconds=0.0, resubmit_failed=2))
    with pytest.raises(GraphError, match="failed: Job Failed$"):
        runner.rows(_params, DAY, DAY)
    assert fake.submitted == {("2026-01-01", "2026-01-01"): 3}


def test_every_split_is_counted():
    """Jan 1-4 is too large, then Jan 1-2 too: two splits, three ranges read."""
    fake = FakeReports(lambda s, u, n: "too_large" if s == "2026-01-01" and u in ("2026-01-04", "2026-01-02") else "ok")
    runner = _runner(fake)
    rows = runner.rows(_params, DAY, date(2026, 1, 4))
    assert (runner.splits, runner.jobs) == (2, 5)
    assert [r["date_start"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]


@pytest.mark.parametrize("campaigns", [1, 0])
def test_a_range_exactly_at_both_limits_is_read_synchronously(campaigns):
    """7 days of at most 7 days, 7 expected rows of at most 7 (no campaign counts as one)."""
    policy = PollPolicy(initial_seconds=0.0, max_seconds=0.0, sync_max_rows=7, sync_max_days=7)
    runner = _runner(SyncThenAsync(), policy)
    runner.rows(_params, DAY, date(2026, 1, 7), campaigns)
    assert (runner.sync_reads, runner.jobs) == (1, 0)


class _JobPacer:
    """The client's pacer, recording the accounts new jobs (and synchronous reads) wait for."""

    def __init__(self, pacer):
        self.pacer = pacer
        self.accounts = []

    def wait_for_new_job(self, account):
        self.accounts.append(account)
        self.pacer.wait_for_new_job(account)

    def __getattr__(self, name):
        return getattr(self.pacer, name)


@pytest.mark.parametrize(("policy", "campaigns"), [(SYNC, 1), (FAST, None)])
def test_a_read_waits_for_its_own_account_s_pacing(policy, campaigns):
    runner = _runner(SyncThenAsync(), policy)
    pacer = runner.client.pacer = _JobPacer(runner.client.pacer)
    runner.rows(_params, DAY, date(2026, 1, 7), campaigns)
    assert pacer.accounts == ["1"]


@pytest.mark.parametrize(
    ("policy", "campaigns", "method", "path"),
    [
        (SYNC, 1, "GET", "/v25.0/act_1/insights"),  # the synchronous read
        (FAST, None, "POST", "/v25.0/act_1/insights"),  # the job's submission
        (FAST, None, "GET", "/v25.0/run0"),  # its poll
        (FAST, None, "GET", "/v25.0/run0/insights"),  # its results
    ],
)
def test_an_error_on_any_request_of_a_read_names_the_account(policy, campaigns, method, path):
    fake = SyncThenAsync()

    def handler(request):
        if (request.method, request.url.path) == (method, path):
            return error(200, message="Permissions error")
        return fake(request)

    with pytest.raises(GraphPermissionError) as raised:
        _runner(handler, policy).rows(_params, DAY, date(2026, 1, 7), campaigns)
    assert str(raised.value).startswith("act_1: missing permission (code 200)")


@pytest.mark.parametrize("body", [[{"report_run_id": "run0"}], {"report_run_id": True}, {"id": "x"}])
def test_a_submission_without_a_usable_report_run_id_is_an_error(body):
    def handler(request):
        return ok(body) if request.method == "POST" else ok({})

    with pytest.raises(GraphError) as raised:
        _runner(handler).rows(_params, DAY, DAY)
    assert str(raised.value) == "act_1: insights job submission returned no report_run_id"


def test_a_job_s_results_are_read_in_pages_of_the_policy_s_limit():
    fake = Recorder(FakeReports())
    _runner(fake, PollPolicy(initial_seconds=0.0, max_seconds=0.0, page_limit=250)).rows(_params, DAY, DAY)
    results = [r for r in fake.requests if r.url.path == "/v25.0/run0/insights"]
    assert len(results) == 1 and params_of(results[0])["limit"] == "250"
