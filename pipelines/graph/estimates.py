"""Delivery estimates (`GET act_<id>/message_delivery_estimate`, meta-api.md §2).

Grain: one `DeliveryEstimate` per ad account and account-local snapshot date, for one sending
Page, without a budget cap (Meta then estimates the full audience). Costs arrive in the account
currency's minor unit and are stored in currency units; delivery bounds are counts of Send API
calls. The reference calls these metrics "estimated and in development".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipelines.graph.accounts import AdAccount, minor_to_units
from pipelines.graph.client import GraphClient
from pipelines.graph.errors import GraphError
from pipelines.graph.insights import to_count

ESTIMATE_FIELDS = (
    "estimate_delivery_lower_bound,estimate_delivery_upper_bound,estimate_cost_lower_bound,estimate_cost_upper_bound"
)
TARGETING_SPEC = {"messenger_positions": ["marketing_messages"], "publisher_platforms": ["messenger"]}


@dataclass(frozen=True)
class DeliveryEstimate:
    ad_account_id: str
    snapshot_date: date
    page_id: str | None
    daily_budget: Decimal | None
    estimate_delivery_lower_bound: int
    estimate_delivery_upper_bound: int
    estimate_cost_lower_bound: Decimal | None
    estimate_cost_upper_bound: Decimal | None


def estimate_params(page_id: str) -> dict[str, object]:
    return {
        "fields": ESTIMATE_FIELDS,
        "targeting_spec": TARGETING_SPEC,
        "promoted_object": {"page_id": page_id},
        "is_direct_send_campaign": True,
        "pacing_type": "no_pacing",
    }


def fetch_estimate(client: GraphClient, account: AdAccount, page_id: str, snapshot_date: date) -> DeliveryEstimate:
    aid = account.ad_account_id
    body = client.get(f"act_{aid}/message_delivery_estimate", estimate_params(page_id), account=aid)
    data = body.get("data") if isinstance(body, dict) else None
    # The documented response is a one-element `data` list; a bare object is accepted too.
    if isinstance(data, list) and data:
        item = data[0]
    else:
        item = body if isinstance(body, dict) and "data" not in body else None
    if not isinstance(item, dict):
        raise GraphError(f"act_{aid}: message_delivery_estimate returned no estimate")
    where = f"act_{aid} estimate"
    offset = account.currency_offset
    return DeliveryEstimate(
        ad_account_id=aid,
        snapshot_date=snapshot_date,
        page_id=page_id,
        daily_budget=None,
        estimate_delivery_lower_bound=to_count(item.get("estimate_delivery_lower_bound"), f"{where} lower bound"),
        estimate_delivery_upper_bound=to_count(item.get("estimate_delivery_upper_bound"), f"{where} upper bound"),
        estimate_cost_lower_bound=minor_to_units(item.get("estimate_cost_lower_bound"), offset, f"{where} cost"),
        estimate_cost_upper_bound=minor_to_units(item.get("estimate_cost_upper_bound"), offset, f"{where} cost"),
    )
