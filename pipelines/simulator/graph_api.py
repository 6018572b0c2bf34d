"""Handlers of the simulated Graph API: route a parsed request to the world's objects.

Serves (reference §1–§3): `GET /act_<id>`, `/act_<id>/ads`, `/act_<id>/campaigns`,
`/act_<id>/insights` (GET sync, POST async), `/act_<id>/message_delivery_estimate`,
`GET /<message_campaign_id>` and its `/insights` (GET, POST), `GET /<report_run_id>` and
`/<report_run_id>/insights`. Handlers return a JSON-ready dict or raise `GraphError`; auth,
throttling, faults and serialization belong to `server.py`.

Synchronous insights refuse too wide a query, as Meta does with "Please reduce the amount of
data" (code 100, subcode 1487534, reference §1.8). The rule: more than `max_sync_rows` result
rows (objects × time buckets), or a range over 31 days that scans more than `max_sync_rows` × 3
campaign-days. Async report runs have no such limit; they take more polls the more rows they hold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from pipelines.simulator.digits import digits_int
from pipelines.simulator import insights, insights_query
from pipelines.simulator.faults import FaultInjector
from pipelines.simulator.objects import (
    GraphError,
    ReportRun,
    account_object,
    ad_object,
    filter_ads,
    no_permission,
    not_found,
    parse_fields,
    project,
)
from pipelines.simulator.paging import CursorError, page

if TYPE_CHECKING:
    from pipelines.simulator.server import SimulatorConfig

REDUCE_DATA = "Please reduce the amount of data you're asking for, then retry your request"
ESTIMATE_FIELDS = (
    "estimate_delivery_lower_bound",
    "estimate_delivery_upper_bound",
    "estimate_cost_lower_bound",
    "estimate_cost_upper_bound",
)
ESTIMATE_EXTRA_FIELDS = (
    "estimate_delivery",
    "estimate_cost",
    "estimate_coverage_lower_bound",
    "estimate_coverage_upper_bound",
    "estimate_status",
)


@dataclass(frozen=True)
class GraphRequest:
    method: str
    version: tuple[int, int]
    parts: tuple[str, ...]
    params: dict[str, str]
    url: str  # absolute URL of the path, without query: the base of `paging.next`
    access_token: str


class GraphApi:
    """The simulated API over one world; holds the async report runs of this server's life."""

    def __init__(self, world, config: SimulatorConfig, faults: FaultInjector) -> None:
        self.world = world
        self.config = config
        self.faults = faults
        self.accounts = {a.account_id: a for a in world.accounts}
        self.campaigns = {a.account_id: list(world.campaigns(a.account_id)) for a in world.accounts}
        self.by_object_id = {}
        for account_campaigns in self.campaigns.values():
            for campaign in account_campaigns:
                for object_id in (campaign.ad_id, campaign.adset_id, campaign.message_campaign_id):
                    self.by_object_id[str(object_id)] = campaign
        self.runs: dict[str, ReportRun] = {}
        self.now_utc = datetime.combine(world.today, time(12), tzinfo=UTC)

    # -- routing ------------------------------------------------------------------------------

    def account_of(self, node: str) -> str | None:
        """The ad account a request path belongs to, for the usage headers (None: app-level)."""
        if node.startswith("act_"):
            return node[4:]
        if node in self.runs:
            return self.runs[node].account_id
        campaign = self.by_object_id.get(node)
        return campaign.account_id if campaign else None

    def dispatch(self, request: GraphRequest) -> dict:
        if not request.parts or not request.parts[0]:
            raise GraphError(100, "(#100) Unknown path components", type="GraphMethodException")
        node, edge = request.parts[0], "/".join(request.parts[1:])
        method = request.method.lower()
        if node.startswith("act_"):
            account = self._account(node)
            handler = {
                ("get", ""): self._account_node,
                ("get", "ads"): self._ads,
                ("get", "campaigns"): self._campaigns_listing,
                ("get", "insights"): self._insights_sync,
                ("post", "insights"): self._insights_async,
                ("get", "message_delivery_estimate"): self._estimate,
            }.get((method, edge))
            if handler is None:
                raise self._bad_edge(method, node, edge, "AdAccount")
            return handler(request, account)
        if node in self.runs:
            run = self.runs[node]
            if (method, edge) == ("get", ""):
                return run.status(request.version)
            if (method, edge) == ("get", "insights"):
                return self._run_rows(request, run)
            raise self._bad_edge(method, node, edge, "AdReportRun")
        campaign = self.by_object_id.get(node)
        if campaign is None:
            raise not_found(node, method)
        account = self._account(f"act_{campaign.account_id}")
        if (method, edge) == ("get", ""):
            obj = dict(ad_object(campaign, account), id=node)
            return project(obj, parse_fields(request.params.get("fields")) or {"id": None}, "Ad")
        if edge == "insights" and method in ("get", "post"):
            query = self._query(request, account, default_level="campaign")
            query = insights_query.InsightsQuery(**{**query.__dict__, "object_ids": frozenset({node})})
            if method == "post":
                return self._submit(request, account, query)
            return self._rows_page(request, account, query)
        raise self._bad_edge(method, node, edge, "Ad")

    def _bad_edge(self, method: str, node: str, edge: str, node_type: str) -> GraphError:
        if method != "get" or not edge:
            return not_found(node, method)
        return GraphError(100, f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})")

    def _account(self, node: str):
        account_id = node[4:]
        account = self.accounts.get(account_id)
        if account is None:
            raise not_found(node)
        if account_id in self.config.forbidden_accounts:
            raise no_permission(account_id)
        return account

    # -- objects and listings ------------------------------------------------------------------

    def _account_node(self, request: GraphRequest, account) -> dict:
        fields = parse_fields(request.params.get("fields")) or {"id": None}
        return project(account_object(account, self.now_utc), fields, "AdAccount")

    def _ads(self, request: GraphRequest, account) -> dict:
        fields = parse_fields(request.params.get("fields")) or {"id": None}
        ads = [ad_object(c, account) for c in self.campaigns[account.account_id]]
        if request.params.get("filtering"):
            try:
                rules = insights_query.loose_json(request.params["filtering"])
            except json.JSONDecodeError as error:
                raise GraphError(100, "(#100) filtering must be a JSON list of rules") from error
            ads = filter_ads(ads, rules)
        return self._page(request, [project(ad, fields, "Ad") for ad in ads])

    def _campaigns_listing(self, request: GraphRequest, account) -> dict:
        # Message campaigns are hidden from the campaign list since May 12, 2026 (reference §3.1),
        # and this world holds nothing else; clients must enumerate through /ads.
        return self._page(request, [])

    def _page(self, request: GraphRequest, items: list) -> dict:
        try:
            return page(
                items,
                request.params,
                request.url,
                seed=self.config.seed,
                query_key=_stable_key(request),
                empty_page_rate=self.config.empty_page_rate,
                access_token=request.access_token,
            )
        except CursorError as error:
            raise GraphError(2642, str(error)) from error
        except ValueError as error:
            raise GraphError(100, str(error)) from error

    # -- insights ------------------------------------------------------------------------------

    def _today(self, account) -> date:
        return self.world.account_today(account.account_id)

    def _query(self, request: GraphRequest, account, default_level: str) -> insights_query.InsightsQuery:
        try:
            return insights_query.parse_query(request.params, self._today(account), default_level)
        except insights_query.QueryError as error:
            raise GraphError(error.code, str(error), subcode=error.subcode) from error

    def _rows(self, account, query: insights_query.InsightsQuery) -> list[dict]:
        campaigns = self.campaigns[account.account_id]
        return insights.build_rows(self.world, account, campaigns, query)

    def _insights_sync(self, request: GraphRequest, account) -> dict:
        query = self._query(request, account, default_level="account")
        return self._rows_page(request, account, query)

    def _rows_page(self, request: GraphRequest, account, query: insights_query.InsightsQuery) -> dict:
        campaigns = self.campaigns[account.account_id]
        objects = len(campaigns) if query.object_ids is None else len(query.object_ids)
        rows_bound = len(query.buckets) * (1 if query.level == "account" else objects)
        scanned = objects * query.days
        limit = self.config.max_sync_rows
        if rows_bound > limit or (query.days > 31 and scanned > 3 * limit):
            raise GraphError(100, REDUCE_DATA, subcode=1487534, status=500)
        return self._page(request, self._rows(account, query))

    def _insights_async(self, request: GraphRequest, account) -> dict:
        query = self._query(request, account, default_level="account")
        return self._submit(request, account, query)

    def _submit(self, request: GraphRequest, account, query: insights_query.InsightsQuery) -> dict:
        rows = self._rows(account, query)
        sequence = len(self.runs)
        digest = hashlib.sha256(f"{self.config.seed}|run|{sequence}|{_stable_key(request)}".encode()).digest()
        run_id = str(6_000_000_000_000 + int.from_bytes(digest[:8], "big") % 999_999_999_999)
        while run_id in self.runs or run_id in self.by_object_id:
            run_id = str(int(run_id) + 1)
        fate = self.faults.job_fate(run_id)
        self.runs[run_id] = ReportRun(
            id=run_id,
            account_id=account.account_id,
            rows=rows,
            # Simulated processing time: a few polls, more for bigger reports.
            polls_needed=4 + min(8, len(rows) // 200),
            fate=fate,
            time_ref=int(self.now_utc.timestamp()) + 7 * sequence,
            date_start=min(b[0] for b in query.buckets).isoformat(),
            date_stop=max(b[1] for b in query.buckets).isoformat(),
        )
        return {"report_run_id": run_id}

    def _run_rows(self, request: GraphRequest, run: ReportRun) -> dict:
        if not run.completed:
            raise GraphError(
                100, f"(#100) Report run {run.id} is not completed; poll it until async_status is Job Completed"
            )
        return self._page(request, run.rows)

    # -- delivery estimate ---------------------------------------------------------------------

    def _estimate(self, request: GraphRequest, account) -> dict:
        params = request.params
        raw = params.get("promoted_object")
        if not raw:
            raise GraphError(100, "(#100) The parameter promoted_object is required")
        try:
            page_id = str(insights_query.loose_json(raw)["page_id"])
            if params.get("targeting_spec"):
                insights_query.loose_json(params["targeting_spec"])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise GraphError(100, "(#100) promoted_object must be {\"page_id\": <PAGE_ID>}") from error
        if page_id not in {str(p) for p in account.pages}:
            raise GraphError(100, f"(#100) Page {page_id} is not connected to ad account act_{account.account_id}")
        budgets = {}
        for name in ("daily_budget", "lifetime_budget", "lifetime_in_days"):
            text = params.get(name)
            budgets[name] = None if text is None else digits_int(text)
            if text is not None and budgets[name] is None:
                raise GraphError(100, f"(#100) {name} must be a whole number (minor currency units for budgets)")
        estimate = self.world.delivery_estimate(
            account.account_id,
            page_id,
            budgets["daily_budget"],
            budgets["lifetime_budget"],
            budgets["lifetime_in_days"],
            self._today(account),
        )
        requested = [f.strip() for f in (params.get("fields") or "").split(",") if f.strip()] or list(ESTIMATE_FIELDS)
        row = {}
        for name in requested:
            if name not in ESTIMATE_FIELDS + ESTIMATE_EXTRA_FIELDS:
                raise GraphError(
                    100, f"(#100) Tried accessing nonexisting field ({name}) on node type (MessageDeliveryEstimate)"
                )
            value = estimate.get(name)
            if value is not None:
                row[name] = value
        return {"data": [row]}


def _stable_key(request: GraphRequest) -> str:
    kept = sorted(
        (k, v) for k, v in request.params.items() if k not in ("access_token", "appsecret_proof", "after", "before")
    )
    return "/".join(request.parts) + "?" + "&".join(f"{k}={v}" for k, v in kept)
