"""Insights report runs for a date range: synchronous when small, else async (meta-api.md §1.7).

Meta documents synchronous `GET act_<id>/insights` for small reports and async report runs for
large ones. A range the policy deems small (few days, few rows expected) is read synchronously,
paged; if Meta asks for less data or times out (§1.8), the same range goes to an async job.
A job is submitted with `POST act_<id>/insights`, polled with `GET /<report_run_id>` (backoff up
to a ceiling, a timeout, and a stall limit when it stays at 0 %), and read with
`GET /<report_run_id>/insights`, paged. `Job Skipped` (expired) is resubmitted; `Job Failed` and
timeouts are resubmitted, then the range is split in halves; "reduce the amount of data" errors
split at once instead of sending the same request again. Splitting stops at a single day.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipelines.graph.client import GraphClient
from pipelines.graph.dates import split_range
from pipelines.graph.errors import GraphError, GraphErrorInfo, Kind, ReduceDataError, as_int, clean_message, error_for
from pipelines.graph.paging import iter_rows

COMPLETED = "Job Completed"
FAILED = "Job Failed"
SKIPPED = "Job Skipped"


@dataclass(frozen=True)
class PollPolicy:
    """How report runs are fetched and polled. dlt polls from 10 s doubling to 300 s and fails at
    0 % after 300 s or after 30 min (§1.7). The field defaults are a slow schedule with every
    report async; runs use `RUN_POLICY`.

    `sync_max_rows`: a range of at most `sync_max_days` days whose expected rows (days x message
    campaigns) are at most this many is read synchronously first; 0 means always async.
    """

    initial_seconds: float = 2.0
    max_seconds: float = 30.0
    factor: float = 2.0
    timeout_seconds: float = 3600.0
    stall_seconds: float = 600.0
    resubmit_failed: int = 1
    resubmit_skipped: int = 3
    page_limit: int = 500
    sync_max_rows: int = 0
    sync_max_days: int = 31


# What runs use: small reports synchronously (a 28-day range of ~100 campaigns is 6 pages of 500),
# and polls that start short, since Meta often completes a small job in a second or two; the
# interval still grows to 30 s for reports that take minutes.
RUN_POLICY = PollPolicy(initial_seconds=0.5, factor=1.5, sync_max_rows=3000)


class _JobEnded(Exception):
    """A job ended without data: `split` says whether Meta hinted that it was too large."""

    def __init__(self, status: str, split: bool) -> None:
        self.status = status
        self.split = split


Params = Callable[[date, date], dict[str, Any]]
Progress = Callable[[str, date, date], None]


class ReportRunner:
    """Runs insights jobs for one ad account; `jobs` counts submissions (for metadata/benchmarks)."""

    def __init__(
        self,
        client: GraphClient,
        account: str,
        policy: PollPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.account = account
        self.policy = policy or PollPolicy()
        self._clock = clock
        self._sleep = sleep or client.pacer.sleep
        self._on_progress = on_progress
        self.jobs = 0
        self.splits = 0
        self.sync_reads = 0  # ranges read synchronously

    def rows(self, params: Params, since: date, until: date, campaigns: int | None = None) -> list[dict[str, Any]]:
        """Every result row for [since, until], however many jobs and splits it takes.

        `campaigns`, the number of campaigns expected per day, lets a small range be read
        synchronously (see `PollPolicy.sync_max_rows`); without it the range goes async."""
        if campaigns is not None and self._small(since, until, campaigns):
            try:
                rows = self._sync(params(since, until))
            except ReduceDataError:
                pass  # too much for a synchronous call after all: an async job below
            else:
                self.sync_reads += 1
                if self._on_progress:
                    self._on_progress(self.account, since, until)
                return rows
        failed = skipped = 0
        while True:
            try:
                rows = self._one_job(params(since, until))
            except ReduceDataError:
                return self._split(params, since, until, "Meta asked for less data")
            except _JobEnded as ended:
                if ended.split:
                    return self._split(params, since, until, f"{ended.status} (report too large)")
                if ended.status == SKIPPED and skipped < self.policy.resubmit_skipped:
                    skipped += 1
                    continue
                if ended.status != SKIPPED and failed < self.policy.resubmit_failed:
                    failed += 1
                    continue
                return self._split(params, since, until, ended.status)
            if self._on_progress:
                self._on_progress(self.account, since, until)
            return rows

    def _split(self, params: Params, since: date, until: date, reason: str) -> list[dict[str, Any]]:
        if since == until:
            raise GraphError(f"act_{self.account}: insights report for {since} failed: {reason}")
        self.splits += 1
        first, second = split_range(since, until)
        return self.rows(params, *first) + self.rows(params, *second)

    def _small(self, since: date, until: date, campaigns: int) -> bool:
        days = (until - since).days + 1
        return days <= self.policy.sync_max_days and days * max(campaigns, 1) <= self.policy.sync_max_rows

    def _sync(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        # The usage headers pace a synchronous query as they pace a job submission.
        self.client.pacer.wait_for_new_job(self.account)
        query = {**params, "limit": self.policy.page_limit}
        return list(iter_rows(self.client, f"act_{self.account}/insights", query, account=self.account))

    def _one_job(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.client.pacer.wait_for_new_job(self.account)
        body = self.client.post(f"act_{self.account}/insights", params, account=self.account)
        run_id = body.get("report_run_id") if isinstance(body, dict) else None
        if run_id is None or isinstance(run_id, bool | float):
            raise GraphError(f"act_{self.account}: insights job submission returned no report_run_id")
        self.jobs += 1
        run_id = str(run_id)
        self.wait(run_id)
        limit = {"limit": self.policy.page_limit}
        return list(iter_rows(self.client, f"{run_id}/insights", limit, account=self.account))

    def wait(self, run_id: str) -> None:
        """Poll a report run until it is complete; raises when it failed, expired or timed out."""
        started = self._clock()
        delay = self.policy.initial_seconds
        while True:
            self._sleep(delay)
            run = self.client.get(run_id, account=self.account)
            status = str(run.get("async_status", "")) if isinstance(run, dict) else ""
            percent = run.get("async_percent_completion", 0) if isinstance(run, dict) else 0
            if status == COMPLETED and str(percent) in ("100", "100.0"):
                return
            if status in (FAILED, SKIPPED):
                # From v25.0 a failed run carries Meta's error fields (§1.7): credentials and
                # permissions fail the run at once, "too large" splits, anything else resubmits.
                code, subcode = as_int(run.get("error_code")), as_int(run.get("error_subcode"))
                text = clean_message(str(run.get("error_message") or ""), self.client.secrets)
                info = GraphErrorInfo(code, subcode, text)
                if info.kind in (Kind.AUTH, Kind.PERMISSION):
                    raise error_for(info, self.account, self.client.secrets)
                raise _JobEnded(status, split=info.kind is Kind.REDUCE_DATA)
            elapsed = self._clock() - started
            if elapsed > self.policy.timeout_seconds:
                raise _JobEnded("timed out", split=False)
            if str(percent) in ("0", "0.0") and elapsed > self.policy.stall_seconds:
                raise _JobEnded("stalled at 0 %", split=False)
            delay = min(delay * self.policy.factor, self.policy.max_seconds)

