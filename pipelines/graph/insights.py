"""Insights requests and their parsing into typed rows (meta-api.md §1.2-§1.5).

Grain: one `InsightRow` per message campaign and account-local day (`level=campaign`,
`time_increment=1`), and one `ActionRow` per campaign, day, pixel action type and attribution
window (`action_breakdowns=action_type`; window `default` is Meta's `value`).

Parsing is tolerant where the reference says INFERRED: numbers arrive as strings or JSON numbers,
spend as `marketing_messages_spend` or `spend`, absent metrics mean "no data" (0 for counts and
spend, NULL for rates), action types and windows with no events may be omitted. It is strict where
a wrong guess would corrupt numbers: a row without a campaign id or with a date outside the request
raises instead of being dropped or landing on the wrong day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pipelines.graph.errors import GraphError

PIXEL_ACTION_TYPES = tuple(
    f"offsite_conversion.fb_pixel_{name}"
    for name in (
        "purchase",
        "add_to_cart",
        "initiate_checkout",
        "lead",
        "view_content",
        "custom",
        "complete_registration",
        "search",
        "add_payment_info",
        "add_to_wishlist",
    )
)
PURCHASE = "offsite_conversion.fb_pixel_purchase"
DEFAULT_WINDOW = "default"

# Every marketing_messages_* metric the reference documents for Messenger (§1.2).
MM_METRICS = (
    "marketing_messages_delivered",
    "marketing_messages_read_rate",
    "marketing_messages_link_btn_click",
    "marketing_messages_link_btn_click_rate",
    "marketing_messages_cost_per_link_btn_click",
    "marketing_messages_cost_per_delivered",
    "marketing_messages_spend",
    "marketing_messages_delivery_rate",
)
FIELDS = (
    "account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    *MM_METRICS,
    "spend",
    "actions",
    "action_values",
    "website_purchase_roas",
    "date_start",
    "date_stop",
)


def insights_params(since: date, until: date, windows: tuple[str, ...]) -> dict[str, Any]:
    """Parameters for `act_<id>/insights` (sync GET or async POST): one row per campaign and day."""
    params: dict[str, Any] = {
        "level": "campaign",
        "fields": ",".join(FIELDS),
        "time_range": {"since": since.isoformat(), "until": until.isoformat()},
        "time_increment": 1,
        "action_breakdowns": ["action_type"],
        "filtering": [{"field": "action_type", "operator": "IN", "value": list(PIXEL_ACTION_TYPES)}],
    }
    requested = [w for w in windows if w != DEFAULT_WINDOW]
    if requested:
        params["action_attribution_windows"] = requested
    return params


@dataclass(frozen=True)
class InsightRow:
    ad_account_id: str
    message_campaign_id: str
    date: date
    currency: str
    spend: Decimal
    delivered: int
    link_clicks: int
    read_rate: Decimal | None
    delivery_rate: Decimal | None
    link_btn_click_rate: Decimal | None
    cost_per_link_btn_click: Decimal | None
    cost_per_delivered: Decimal | None
    website_purchase_roas: Decimal | None


@dataclass(frozen=True)
class ActionRow:
    ad_account_id: str
    message_campaign_id: str
    date: date
    action_type: str
    attribution_window: str
    conversions: Decimal
    conversion_value: Decimal | None


def to_decimal(value: Any, what: str) -> Decimal | None:
    """A Meta number (string, int or exact Decimal) as Decimal; None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float):
        # A float would already have lost digits; decode JSON with parse_float=Decimal instead.
        raise GraphError(f"{what}: got a {type(value).__name__}, expected a numeric string")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise GraphError(f"{what}: {str(value)[:40]!r} is not a number") from None
    if not number.is_finite():
        raise GraphError(f"{what}: {value!r} is not a finite number")
    return number


def to_count(value: Any, what: str) -> int:
    number = to_decimal(value, what)
    if number is None:
        return 0
    if number != number.to_integral_value():
        raise GraphError(f"{what}: {value!r} is not a whole number")
    return int(number)


def to_id(value: Any, what: str) -> str:
    """Meta ids are opaque text; JSON integers are accepted (never through a float). Anything else
    (a fraction, a boolean, an object or a list) is not an id."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise GraphError(f"{what}: missing or not an id")
    text = str(value).strip()
    if not text:
        raise GraphError(f"{what}: missing")
    return text


def _stats(entries: Any, what: str) -> dict[str, dict[str, Any]]:
    """`[{"action_type": ..., "value": ..., "7d_click": ...}]` keyed by action type."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise GraphError(f"{what}: expected a list of action stats")
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("action_type"), str):
            out[entry["action_type"]] = entry
    return out


def is_message_campaign_row(raw: dict[str, Any]) -> bool:
    """Whether a row carries any marketing_messages_* metric (regular ad campaigns do not)."""
    return any(raw.get(name) not in (None, "") for name in MM_METRICS)


def parse_row(
    raw: dict[str, Any], account_id: str, currency: str, since: date, until: date, windows: tuple[str, ...]
) -> tuple[InsightRow, list[ActionRow]]:
    """One insights row (campaign level, one day) into typed rows."""
    campaign_id = to_id(raw.get("campaign_id"), f"act_{account_id} insights campaign_id")
    where = f"act_{account_id} campaign {campaign_id}"
    try:
        day = date.fromisoformat(str(raw.get("date_start")))
        stop = date.fromisoformat(str(raw.get("date_stop", raw.get("date_start"))))
    except ValueError:
        raise GraphError(f"{where}: date_start/date_stop are not dates") from None
    if day != stop or not since <= day <= until:
        raise GraphError(f"{where}: row for {day}..{stop} outside the daily range {since}..{until}")
    spend_raw = raw.get("marketing_messages_spend", raw.get("spend"))
    roas = _stats(raw.get("website_purchase_roas"), f"{where} website_purchase_roas").get(PURCHASE, {})
    row = InsightRow(
        ad_account_id=account_id,
        message_campaign_id=campaign_id,
        date=day,
        currency=str(raw.get("account_currency") or currency),
        spend=to_decimal(spend_raw, f"{where} spend") or Decimal(0),
        delivered=to_count(raw.get("marketing_messages_delivered"), f"{where} delivered"),
        link_clicks=to_count(raw.get("marketing_messages_link_btn_click"), f"{where} link clicks"),
        read_rate=to_decimal(raw.get("marketing_messages_read_rate"), f"{where} read_rate"),
        delivery_rate=to_decimal(raw.get("marketing_messages_delivery_rate"), f"{where} delivery_rate"),
        link_btn_click_rate=to_decimal(raw.get("marketing_messages_link_btn_click_rate"), f"{where} click rate"),
        cost_per_link_btn_click=to_decimal(raw.get("marketing_messages_cost_per_link_btn_click"), f"{where} cpc"),
        cost_per_delivered=to_decimal(raw.get("marketing_messages_cost_per_delivered"), f"{where} cpd"),
        website_purchase_roas=to_decimal(roas.get("value"), f"{where} website_purchase_roas"),
    )
    return row, _actions(raw, row, windows, where)


def _actions(raw: dict[str, Any], row: InsightRow, windows: tuple[str, ...], where: str) -> list[ActionRow]:
    actions = _stats(raw.get("actions"), f"{where} actions")
    values = _stats(raw.get("action_values"), f"{where} action_values")
    keys = [("value", DEFAULT_WINDOW)] + [(w, w) for w in windows if w != DEFAULT_WINDOW]
    out = []
    # Only the ten pixel types are requested (filtering); any other type Meta adds is not ours.
    for action_type in PIXEL_ACTION_TYPES:
        stats = actions.get(action_type)
        if stats is None:
            continue  # Meta omits action types without events in the range (§1.3).
        value_stats = values.get(action_type, {})
        for key, window in keys:
            if key not in stats:
                continue  # a window Meta did not return: nothing to land, nothing invented
            conversions = to_decimal(stats[key], f"{where} {action_type} {window}")
            if conversions is None:
                continue
            out.append(
                ActionRow(
                    ad_account_id=row.ad_account_id,
                    message_campaign_id=row.message_campaign_id,
                    date=row.date,
                    action_type=action_type,
                    attribution_window=window,
                    conversions=conversions,
                    conversion_value=to_decimal(value_stats.get(key), f"{where} {action_type} {window} value"),
                )
            )
    return out
