"""Small insights reports are read synchronously (meta-api.md §1.1), large ones async; a synchronous
read Meta refuses as too heavy (§1.8) goes async for the same range."""

from dataclasses import replace
from datetime import date

import httpx

from pipelines.graph import pull
from pipelines.graph.async_reports import RUN_POLICY, PollPolicy, ReportRunner
from pipelines.graph.insights import insights_params
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World
from tests.graph.helpers import FakeReports, Recorder, client_for, error, ok, params_of
from tests.graph.simulated import FAST, SIZE, TODAY, WINDOWS, make_client

SINCE, UNTIL = date(2026, 1, 1), date(2026, 1, 7)
SYNC = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0, stall_seconds=5.0, sync_max_rows=100)


def _row(day: str) -> dict:
    return {"campaign_id": "c1", "marketing_messages_delivered": "10", "date_start": day, "date_stop": day}


class SyncThenAsync(FakeReports):
    """`GET act_1/insights` answers the rows in pages of 4 (or refuses, when `refuse`); the rest is
    FakeReports' async jobs."""

    def __init__(self, refuse: bool = False) -> None:
        super().__init__()
        self.refuse = refuse

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v25.0/act_1/insights":
            if self.refuse:
                return error(100, 1487534, "Please reduce the amount of data you're asking for, then retry your request", 500)
            params = params_of(request)
            offset = int(params.get("after", "0"))
            days = [f"2026-01-0{d}" for d in range(1, 8)]
            body = {"data": [_row(d) for d in days[offset:offset + 4]]}
            if offset + 4 < len(days):
                body["paging"] = {"next": f"https://graph.test/v25.0/act_1/insights?after={offset + 4}&access_token=x"}
            return ok(body)
        return super().__call__(request)


def _rows(handler, policy=SYNC, since=SINCE, until=UNTIL, campaigns=1):
    client, _ = client_for(handler)
    runner = ReportRunner(client, "1", policy, sleep=lambda s: None)
    rows = runner.rows(lambda s, u: insights_params(s, u, ("7d_click",)), since, until, campaigns)
    return runner, rows


def test_a_small_range_is_one_synchronous_read_across_its_pages():
    fake = Recorder(SyncThenAsync())
    runner, rows = _rows(fake)
    assert [r["date_start"] for r in rows] == [f"2026-01-0{d}" for d in range(1, 8)]
    assert (runner.sync_reads, runner.jobs) == (1, 0)
    assert [r.method for r in fake.requests] == ["GET", "GET"]
    first = params_of(fake.requests[0])
    assert first["limit"] == "500" and first["time_range"] == '{"since":"2026-01-01","until":"2026-01-07"}'


def test_a_refused_synchronous_read_becomes_one_async_job_for_the_same_range():
    fake = SyncThenAsync(refuse=True)
    runner, rows = _rows(fake)
    assert (runner.sync_reads, runner.jobs, runner.splits) == (0, 1, 0)
    assert fake.jobs == [("run0", "2026-01-01", "2026-01-07")] and len(rows) == 7


def test_too_many_rows_or_days_go_async_at_once():
    for since, until, campaigns in ((SINCE, UNTIL, 15), (date(2026, 1, 1), date(2026, 2, 1), 1)):
        fake = Recorder(SyncThenAsync())
        runner, _ = _rows(fake, since=since, until=until, campaigns=campaigns)
        assert (runner.sync_reads, runner.jobs) == (0, 1)
        assert fake.requests[0].method == "POST"


def test_without_a_campaign_count_or_with_sync_off_the_range_goes_async():
    fake = SyncThenAsync()
    runner, _ = _rows(fake, campaigns=None)
    assert (runner.sync_reads, runner.jobs) == (0, 1)
    runner, _ = _rows(SyncThenAsync(), policy=replace(SYNC, sync_max_rows=0))
    assert (runner.sync_reads, runner.jobs) == (0, 1)


def test_runs_read_small_reports_synchronously_and_poll_from_half_a_second():
    assert (RUN_POLICY.sync_max_rows, RUN_POLICY.sync_max_days) == (3000, 31)
    assert (RUN_POLICY.initial_seconds, RUN_POLICY.factor, RUN_POLICY.max_seconds) == (0.5, 1.5, 30.0)


def test_the_simulator_answers_a_small_range_synchronously_with_the_rows_of_an_async_job():
    world = World(seed=5, size=SIZE, today=TODAY)
    account = world.accounts[0].account_id
    since, until = date(2026, 5, 20), date(2026, 5, 26)
    results = {}
    for name, policy in (("sync", replace(FAST.poll, sync_max_rows=3000)), ("async", FAST.poll)):
        with running_simulator(seed=5, size=SIZE, today=TODAY, access_token="t") as url, make_client(url, "t") as client:
            got = pull.pull_insights(client, account, since, until, WINDOWS, policy)
            results[name] = (got, client.stats.requests)
    (sync, sync_requests), (via_job, job_requests) = results["sync"], results["async"]
    assert (sync.sync_reads, sync.jobs) == (1, 0) and (via_job.sync_reads, via_job.jobs) == (0, 1)
    assert sync.rows == via_job.rows and sync.actions == via_job.actions and len(sync.rows) > 0
    # account node, campaign list, one insights page; the job adds a submission and its polls
    assert sync_requests == 3 and job_requests >= 5
