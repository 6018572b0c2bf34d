"""Handlers of the simulated Graph API: route a parsed request to the world's nodes and edges.

Serves (reference §1–§3): `GET /me`, `/me/adaccounts`; `GET /act_<id>` and its `/campaigns`,
`/adsets`, `/ads`, `/insights` (GET sync, POST async) and `/message_delivery_estimate` edges;
`GET /<campaign|adset|ad id>` (distinct node types, `nodes.py`) with `/insights`, `/adsets`, `/ads`
and, on an ad set, `/message_delivery_estimate`; `GET /<report_run_id>` and its `/insights`.
Handlers return a JSON-ready dict or raise `GraphError`; auth, throttling, faults and
serialization belong to `server.py`.

Message campaigns in `/act_<id>/campaigns`: since May 2026 they are "filtered out of the Ads
Manager campaigns list by default" (changelog). The simulator honours that for the API listing
(INFERRED): `/campaigns` omits them unless `filtering` names `is_message_campaign`; `/ads` and
`/adsets` always list them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from pipelines.simulator import estimates
from pipelines.simulator.faults import FaultInjector
from pipelines.simulator.filters import FilterError, lookup, matches, parse_rules
from pipelines.simulator.insights_api import InsightsApi
from pipelines.simulator.insights_query import loose_json
from pipelines.simulator.nodes import account_object, ad_node, adset_node, campaign_node
from pipelines.simulator.objects import GraphError, no_permission, not_found, parse_fields, project
from pipelines.simulator.paging import CursorError, page

if TYPE_CHECKING:
    from pipelines.simulator.config import SimulatorConfig

NODE_TYPES = {"campaign": ("Campaign", campaign_node), "adset": ("AdSet", adset_node), "ad": ("Ad", ad_node)}
EDGE_KINDS = {"campaigns": "campaign", "adsets": "adset", "ads": "ad"}
LEVEL_OF = {"campaign": "campaign", "adset": "adset", "ad": "ad"}
ME = {"id": "10000000000000001", "name": "Simulated System User"}


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
        self.by_object_id: dict[str, tuple[object, str]] = {}
        for account_campaigns in self.campaigns.values():
            for campaign in account_campaigns:
                self.by_object_id[str(campaign.message_campaign_id)] = (campaign, "campaign")
                self.by_object_id[str(campaign.adset_id)] = (campaign, "adset")
                self.by_object_id[str(campaign.ad_id)] = (campaign, "ad")
        self.insights = InsightsApi(self)
        self.runs = self.insights.runs
        self.now_utc = datetime.combine(world.today, time(12), tzinfo=UTC)

    # -- routing ------------------------------------------------------------------------------

    def account_of(self, node: str) -> str | None:
        """The ad account a request path belongs to, for the usage headers (None: app-level)."""
        if node.startswith("act_"):
            return node[4:]
        if node in self.runs:
            return self.runs[node].account_id
        found = self.by_object_id.get(node)
        return found[0].account_id if found else None

    def dispatch(self, request) -> dict:
        if not request.parts or not request.parts[0]:
            raise GraphError(100, "(#100) Unknown path components", type="GraphMethodException")
        node, edge = request.parts[0], "/".join(request.parts[1:])
        method = request.method.lower()
        if node == "me":
            return self._me(request, method, edge)
        if node.startswith("act_"):
            return self._account_request(request, method, node, edge)
        if node in self.runs:
            run = self.runs[node]
            if (method, edge) == ("get", ""):
                return run.status(request.version, request.params.get("fields"))
            if (method, edge) == ("get", "insights"):
                return self.insights.run_rows(request, run)
            raise self._bad_edge(method, node, edge, "AdReportRun")
        found = self.by_object_id.get(node)
        if found is None:
            raise not_found(node, method)
        return self._object_request(request, method, node, edge, *found)

    def _me(self, request, method: str, edge: str) -> dict:
        if (method, edge) == ("get", ""):
            return project(ME, parse_fields(request.params.get("fields")) or {"id": None, "name": None}, "User")
        if (method, edge) == ("get", "adaccounts"):
            fields = parse_fields(request.params.get("fields")) or {"account_id": None, "id": None}
            visible = [a for a in self.accounts.values() if a.account_id not in self.config.forbidden_accounts]
            return self._listing(request, [project(account_object(a, self.now_utc), fields, "AdAccount")
                                           for a in visible])
        raise self._bad_edge(method, "me", edge, "User")

    def _account_request(self, request, method: str, node: str, edge: str) -> dict:
        account = self._account(node)
        if (method, edge) == ("get", ""):
            fields = parse_fields(request.params.get("fields")) or {"id": None}
            return project(account_object(account, self.now_utc), fields, "AdAccount")
        if method == "get" and edge in EDGE_KINDS:
            return self._edge_listing(request, account, self.campaigns[account.account_id], EDGE_KINDS[edge])
        if edge == "insights" and method in ("get", "post"):
            query = self.insights.query(request, account, default_level="account")
            return self.insights.sync(request, account, query) if method == "get" else \
                self.insights.submit(request, account, query)
        if (method, edge) == ("get", "message_delivery_estimate"):
            return estimates.estimate(self.world, account, request.params, self.world.account_today(account.account_id))
        raise self._bad_edge(method, node, edge, "AdAccount")

    def _object_request(self, request, method: str, node: str, edge: str, campaign, kind: str) -> dict:
        account = self._account(f"act_{campaign.account_id}")
        node_type, shape = NODE_TYPES[kind]
        if (method, edge) == ("get", ""):
            return project(shape(campaign, account), parse_fields(request.params.get("fields")) or {"id": None},
                           node_type)
        if edge == "insights" and method in ("get", "post"):
            query = self.insights.query(request, account, default_level=LEVEL_OF[kind], object_id=node)
            return self.insights.sync(request, account, query) if method == "get" else \
                self.insights.submit(request, account, query)
        below = {"campaign": ("adsets", "ads"), "adset": ("ads",), "ad": ()}[kind]
        if method == "get" and edge in below:
            return self._edge_listing(request, account, [campaign], EDGE_KINDS[edge])
        if (method, edge) == ("get", "message_delivery_estimate") and kind == "adset":
            today = self.world.account_today(account.account_id)
            return estimates.estimate(self.world, account, request.params, today, campaign=campaign)
        raise self._bad_edge(method, node, edge, node_type)

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

    # -- listings ------------------------------------------------------------------------------

    def _edge_listing(self, request, account, campaigns, kind: str) -> dict:
        node_type, shape = NODE_TYPES[kind]
        nodes = [shape(c, account) for c in campaigns]
        try:
            rules = parse_rules(request.params.get("filtering"), loose_json)
            if request.params.get("effective_status"):
                statuses = loose_json(request.params["effective_status"])
                rules += parse_rules([{"field": "effective_status", "operator": "IN", "value": statuses}], loose_json)
            mentions_mm = any(r.field.endswith("is_message_campaign") for r in rules)
            if kind == "campaign" and not mentions_mm:
                nodes = []  # hidden by default (module docstring)
            for rule in rules:
                path = rule.field.split(".")
                if path[0] == kind and len(path) > 1:
                    path = path[1:]
                try:
                    nodes = [n for n in nodes if matches(lookup(n, path), rule)]
                except KeyError as error:
                    raise GraphError(100, f"(#100) Filtering field {rule.field} is invalid") from error
        except FilterError as error:
            raise GraphError(100, str(error)) from error
        except ValueError as error:  # effective_status that is not a JSON list
            raise GraphError(100, "(#100) effective_status must be a JSON list of statuses") from error
        fields = parse_fields(request.params.get("fields")) or {"id": None}
        return self._listing(request, [project(n, fields, node_type) for n in nodes])

    def _listing(self, request, items: list) -> dict:
        body = self.page(request, items)
        if str(request.params.get("summary", "")).lower() in ("true", "1", "total_count"):
            body["summary"] = {"total_count": len(items)}  # INFERRED for listings, docs/simulator.md
        return body

    def page(self, request, items: list) -> dict:
        try:
            return page(
                items,
                request.params,
                request.url,
                seed=self.config.seed,
                query_key=self.stable_key(request),
                empty_page_rate=self.config.empty_page_rate,
                access_token=request.access_token,
            )
        except CursorError as error:
            raise GraphError(2642, str(error)) from error
        except ValueError as error:
            raise GraphError(100, str(error)) from error

    @staticmethod
    def stable_key(request) -> str:
        kept = sorted(
            (k, v) for k, v in request.params.items() if k not in ("access_token", "appsecret_proof", "after", "before")
        )
        return "/".join(request.parts) + "?" + "&".join(f"{k}={v}" for k, v in kept)
