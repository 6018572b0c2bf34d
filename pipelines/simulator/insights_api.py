"""The `/insights` edges: synchronous pages, async report runs, and "reduce the amount of data".

Synchronous insights refuse too heavy a request, as Meta does with "Please reduce the amount of
data you're asking for" (code 100, subcode 1487534, reference §1.8; the numbers are INFERRED,
docs/simulator.md). Two limits, each cleared the way other connectors retry: a page of more than
`max_sync_points` data points (rows on the page × fields) clears with a smaller `limit`; a range
over 31 days scanning more than `max_sync_scan` campaign-days clears with a shorter range. Async
report runs have neither limit; they take longer the more rows they hold.
"""

from __future__ import annotations

import hashlib

from pipelines.simulator import insights, insights_query
from pipelines.simulator.digits import digits_int
from pipelines.simulator.objects import GraphError
from pipelines.simulator.paging import DEFAULT_LIMIT
from pipelines.simulator.report_runs import ReportRun

REDUCE_DATA = "Please reduce the amount of data you're asking for, then retry your request"


class InsightsApi:
    """Insights over one world for a `GraphApi` (which owns paging, routing and the runs' ids)."""

    def __init__(self, api) -> None:
        self.api = api
        self.config = api.config
        self.runs: dict[str, ReportRun] = {}

    def query(self, request, account, default_level: str, object_id: str | None = None):
        try:
            query = insights_query.parse_query(request.params, self.api.world.account_today(account.account_id),
                                               default_level)
        except insights_query.QueryError as error:
            raise GraphError(error.code, str(error), subcode=error.subcode) from error
        if object_id is not None:
            query = insights_query.InsightsQuery(**{**query.__dict__, "object_ids": frozenset({object_id})})
        return query

    def _campaigns(self, account):
        return self.api.campaigns[account.account_id]

    def sync(self, request, account, query) -> dict:
        campaigns = self._campaigns(account)
        objects = len(campaigns) if query.object_ids is None else len(query.object_ids)
        rows_bound = len(query.buckets) * (1 if query.level == "account" else objects)
        limit = digits_int(request.params.get("limit") or str(DEFAULT_LIMIT), max_digits=9) or DEFAULT_LIMIT
        points = min(limit, rows_bound) * (len(query.fields) + 2)
        scanned = objects * query.days
        if points > self.config.max_sync_points or (query.days > 31 and scanned > self.config.max_sync_scan):
            raise GraphError(100, REDUCE_DATA, subcode=1487534, status=500)
        rows = insights.build_rows(self.api.world, account, campaigns, query)
        body = self.api.page(request, rows)
        summary = insights.build_summary(self.api.world, account, campaigns, query)
        if summary is not None:
            body["summary"] = summary
        return body

    def submit(self, request, account, query) -> dict:
        campaigns = self._campaigns(account)
        rows = insights.build_rows(self.api.world, account, campaigns, query)
        sequence = len(self.runs)
        key = self.api.stable_key(request)
        digest = hashlib.sha256(f"{self.config.seed}|run|{sequence}|{key}".encode()).digest()
        run_id = str(6_000_000_000_000 + int.from_bytes(digest[:8], "big") % 999_999_999_999)
        while run_id in self.runs or run_id in self.api.by_object_id:
            run_id = str(int(run_id) + 1)
        self.runs[run_id] = ReportRun(
            id=run_id,
            account_id=account.account_id,
            rows=rows,
            fields=query.fields,
            submitted_at=self.config.clock(),
            # Simulated processing time: a base, and more for bigger reports.
            seconds=self.config.job_seconds * (1 + len(rows) // 500),
            fate=self.api.faults.job_fate(run_id),
            time_ref=int(self.api.now_utc.timestamp()) + 7 * sequence,
            date_start=min(b[0] for b in query.buckets).isoformat(),
            date_stop=max(b[1] for b in query.buckets).isoformat(),
            summary=insights.build_summary(self.api.world, account, campaigns, query),
            clock=self.config.clock,
        )
        return {"report_run_id": run_id}

    def run_rows(self, request, run: ReportRun) -> dict:
        if not run.completed:
            raise GraphError(
                100, f"(#100) Report run {run.id} is not completed; poll it until async_status is Job Completed"
            )
        body = self.api.page(request, run.select(request.params.get("fields")))
        if run.summary is not None:
            body["summary"] = run.summary
        return body
