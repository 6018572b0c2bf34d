"""`GET /act_<id>/message_delivery_estimate` and `GET /<adset_id>/message_delivery_estimate` (reference §2).

The ad-account edge needs `promoted_object={page_id}`; the ad-set edge takes the page from the
ad set's own promoted object and its budget unless the request overrides them (INFERRED,
docs/simulator.md). Numbers come from `World.delivery_estimate`.
"""

from __future__ import annotations

import json

from pipelines.simulator.digits import digits_int
from pipelines.simulator.insights_query import loose_json
from pipelines.simulator.objects import GraphError

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


def estimate(world, account, params: dict, today, campaign=None) -> dict:
    """The estimate body for an account (campaign None) or for one message campaign's ad set."""
    raw = params.get("promoted_object")
    if raw:
        try:
            page_id = str(loose_json(raw)["page_id"])
            if params.get("targeting_spec"):
                loose_json(params["targeting_spec"])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise GraphError(100, "(#100) promoted_object must be {\"page_id\": <PAGE_ID>}") from error
    elif campaign is not None:
        page_id = str(campaign.page_id)
    else:
        raise GraphError(100, "(#100) The parameter promoted_object is required")
    if page_id not in {str(p) for p in account.pages}:
        raise GraphError(100, f"(#100) Page {page_id} is not connected to ad account act_{account.account_id}")
    budgets = {}
    for name in ("daily_budget", "lifetime_budget", "lifetime_in_days"):
        text = params.get(name)
        budgets[name] = None if text is None else digits_int(text)
        if text is not None and budgets[name] is None:
            raise GraphError(100, f"(#100) {name} must be a whole number (minor currency units for budgets)")
    if campaign is not None and budgets["daily_budget"] is None and budgets["lifetime_budget"] is None:
        budgets["daily_budget"] = campaign.daily_budget_minor
        budgets["lifetime_budget"] = campaign.lifetime_budget_minor
    figures = world.delivery_estimate(account.account_id, page_id, budgets["daily_budget"],
                                      budgets["lifetime_budget"], budgets["lifetime_in_days"], today)
    requested = [f.strip() for f in (params.get("fields") or "").split(",") if f.strip()] or list(ESTIMATE_FIELDS)
    row = {}
    for name in requested:
        if name not in ESTIMATE_FIELDS + ESTIMATE_EXTRA_FIELDS:
            raise GraphError(
                100, f"(#100) Tried accessing nonexisting field ({name}) on node type (MessageDeliveryEstimate)"
            )
        value = figures.get(name)
        if value is not None:
            row[name] = value
    return {"data": [row]}
