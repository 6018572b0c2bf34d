"""Insights rows built from the world: the `/insights` edge's parameters and its row shapes.

Grain: one row per object (`level`) per time bucket (`time_increment`), in the ad account's time
zone; objects and buckets without any activity produce no row, as on Meta. Source: the world's
`campaign_day` figures only — this module invents no numbers. Shapes follow reference §1.2–§1.5:
every number is a string, zero action types are omitted, per-window keys appear only when
`action_attribution_windows` asks for them, and `7d_view`/`28d_view` are never returned (Meta
stopped on 2026-01-12). Ratios carry 6 decimals as in Meta's examples (`"79.419238"`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pipelines.simulator.dates import (
    DEFAULT_DATE_PRESET,
    RETENTION_MONTHS,
    months_before,
    resolve_date_preset,
    split_time_increment,
)

LEVELS = ("account", "campaign", "adset", "ad")
RATE_FIELDS = {
    # field: (numerator, denominator, scale)
    "marketing_messages_read_rate": ("reads", "delivered", 100),
    "marketing_messages_link_btn_click_rate": ("link_clicks", "delivered", 100),
    "marketing_messages_delivery_rate": ("delivered", "sent", 100),
    "marketing_messages_cost_per_link_btn_click": ("spend", "link_clicks", 1),
    "marketing_messages_cost_per_delivered": ("spend", "delivered", 1),
}
COUNT_FIELDS = {
    "marketing_messages_sent": "sent",
    "marketing_messages_delivered": "delivered",
    "marketing_messages_read": "reads",
    "marketing_messages_link_btn_click": "link_clicks",
    # INFERRED: impression semantics for MM are undocumented; a delivered message is the closest.
    "impressions": "delivered",
}
MONEY_FIELDS = ("marketing_messages_spend", "spend")
ACTION_FIELDS = ("actions", "action_values", "cost_per_action_type", "website_purchase_roas")
IDENTITY_FIELDS = {
    # field: the lowest level at which Meta fills it
    "account_id": "account",
    "account_name": "account",
    "account_currency": "account",
    "campaign_id": "campaign",
    "campaign_name": "campaign",
    "adset_id": "adset",
    "adset_name": "adset",
    "ad_id": "ad",
    "ad_name": "ad",
}
KNOWN_FIELDS = (
    set(RATE_FIELDS) | set(COUNT_FIELDS) | set(MONEY_FIELDS) | set(ACTION_FIELDS) | set(IDENTITY_FIELDS)
) | {"date_start", "date_stop"}
DEFAULT_FIELDS = ("impressions", "spend")
WORLD_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
PURCHASE = "offsite_conversion.fb_pixel_purchase"
SIX_PLACES = Decimal("0.000001")


class QueryError(ValueError):
    """A request parameter Meta would refuse; `code`/`subcode` are the Graph error numbers."""

    def __init__(self, message: str, code: int = 100, subcode: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode


@dataclass(frozen=True)
class InsightsQuery:
    fields: tuple[str, ...]
    level: str
    buckets: tuple[tuple[date, date], ...]
    windows: tuple[str, ...] = ()
    action_types: frozenset[str] | None = None
    excluded_action_types: frozenset[str] = frozenset()
    object_ids: frozenset[str] | None = None

    @property
    def days(self) -> int:
        return sum((stop - start).days + 1 for start, stop in self.buckets)


@dataclass
class _Totals:
    sent: int = 0
    delivered: int = 0
    reads: int = 0
    link_clicks: int = 0
    spend: Decimal = Decimal(0)
    actions: dict[str, dict[str, list]] = field(default_factory=dict)

    def add(self, day) -> None:
        self.sent += day.sent
        self.delivered += day.insights_delivered
        self.reads += day.reads
        self.link_clicks += day.link_clicks
        self.spend += Decimal(day.spend)
        for action_type, windows in day.actions.items():
            mine = self.actions.setdefault(action_type, {})
            for window, (count, value) in windows.items():
                slot = mine.setdefault(window, [0, Decimal(0)])
                slot[0] += count
                slot[1] += Decimal(value)

    def empty(self) -> bool:
        has_actions = any(slot[0] or slot[1] for w in self.actions.values() for slot in w.values())
        return not (self.sent or self.delivered or self.spend or has_actions)


def loose_json(text: str):
    """Parse Meta's doc-style pseudo-JSON too: single quotes and bare keys (`{page_id: 1}`).

    Integers and decimals stay strings, so ids and money never pass through a float.
    """
    try:
        return json.loads(text, parse_int=str, parse_float=str)
    except json.JSONDecodeError:
        fixed = text.replace("'", '"')
        fixed = re.sub(r'([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:', r'\1"\2":', fixed)
        return json.loads(fixed, parse_int=str, parse_float=str)


def _list_param(value: str | None) -> list[str]:
    if value is None or not value.strip():
        return []
    text = value.strip()
    if text.startswith("["):
        try:
            return [str(item) for item in loose_json(text)]
        except json.JSONDecodeError as error:
            raise QueryError(f"(#100) cannot parse list parameter {text!r}") from error
    return [item.strip() for item in text.split(",") if item.strip()]


def _parse_range(raw, name: str) -> tuple[date, date]:
    try:
        value = loose_json(raw) if isinstance(raw, str) else raw
        return date.fromisoformat(value["since"]), date.fromisoformat(value["until"])
    except (ValueError, KeyError, TypeError) as error:
        raise QueryError(f"(#100) {name} must be {{'since':'YYYY-MM-DD','until':'YYYY-MM-DD'}}; got {raw!r}") from error


def _check_range(since: date, until: date, today_local: date) -> tuple[date, date]:
    if since > until:
        raise QueryError(f"(#100) time_range since ({since}) must not be after until ({until})")
    if since < months_before(today_local, RETENTION_MONTHS):
        raise QueryError(
            f"(#3018) The start date of the time range cannot be beyond {RETENTION_MONTHS} months from the current date",
            code=3018,
        )
    return since, until


def parse_query(params: Mapping[str, str], today_local: date, default_level: str) -> InsightsQuery:
    """Read the `/insights` parameters of reference §1.4; QueryError for what Meta would refuse."""
    fields = tuple(_list_param(params.get("fields"))) or DEFAULT_FIELDS
    unknown = [name for name in fields if name not in KNOWN_FIELDS]
    if unknown:
        raise QueryError(f"(#100) {unknown[0]} is not valid for fields param")
    level = params.get("level") or default_level
    if level not in LEVELS:
        raise QueryError(f"(#100) level must be one of the following values: {', '.join(LEVELS)}")
    if _list_param(params.get("breakdowns")):
        raise QueryError("(#100) breakdowns are not available for marketing messages in this API")
    breakdowns = _list_param(params.get("action_breakdowns")) or ["action_type"]
    if breakdowns != ["action_type"]:
        raise QueryError("(#100) action_breakdowns supports only action_type for marketing messages")

    if params.get("time_ranges"):
        try:
            ranges = [_parse_range(item, "time_ranges") for item in loose_json(params["time_ranges"])]
        except json.JSONDecodeError as error:
            raise QueryError("(#100) time_ranges must be a JSON list of ranges") from error
        buckets = [_check_range(since, until, today_local) for since, until in ranges]
    else:
        if params.get("time_range"):
            since, until = _parse_range(params["time_range"], "time_range")
        else:
            try:
                since, until = resolve_date_preset(params.get("date_preset") or DEFAULT_DATE_PRESET, today_local)
            except ValueError as error:
                raise QueryError(f"(#100) {error}") from error
        _check_range(since, until, today_local)
        increment = params.get("time_increment") or "all_days"
        try:
            buckets = split_time_increment(since, until, increment)
        except ValueError as error:
            raise QueryError(f"(#100) {error}") from error

    windows = tuple(w for w in _list_param(params.get("action_attribution_windows")) if w != "default")
    action_types, excluded, object_ids = _parse_filtering(params.get("filtering"))
    return InsightsQuery(fields, level, tuple(buckets), windows, action_types, excluded, object_ids)


def _parse_filtering(raw: str | None):
    if not raw:
        return None, frozenset(), None
    try:
        rules = loose_json(raw)
    except json.JSONDecodeError as error:
        raise QueryError(f"(#100) filtering must be a JSON list; got {raw!r}") from error
    action_types = object_ids = None
    excluded: frozenset[str] = frozenset()
    for rule in rules if isinstance(rules, list) else [rules]:
        try:
            name, operator, value = rule["field"], str(rule["operator"]).upper(), rule["value"]
        except (KeyError, TypeError) as error:
            raise QueryError("(#100) each filtering rule needs field, operator and value") from error
        values = frozenset(str(v) for v in (value if isinstance(value, list) else [value]))
        if operator not in ("IN", "EQUAL", "NOT_IN", "NOT_EQUAL"):
            raise QueryError(f"(#100) filtering operator {operator} is not supported on {name}")
        negative = operator.startswith("NOT")
        if name == "action_type":
            if negative:
                excluded = excluded | values
            else:
                action_types = values if action_types is None else action_types & values
        elif name in ("campaign.id", "adset.id", "ad.id") and not negative:
            object_ids = values if object_ids is None else object_ids & values
        else:
            raise QueryError(f"(#100) Filtering field {name} with operator {operator} is invalid")
    return action_types, excluded, object_ids


def _sum_days(world, campaign, start: date, stop: date) -> _Totals:
    totals = _Totals()
    life = world.life(campaign)  # days the campaign sent; nothing to report outside them
    if life is None:
        return totals
    day, last = max(start, life[0]), min(stop, life[1])
    while day <= last:
        figures = world.campaign_day(campaign.message_campaign_id, day)
        if figures is not None:
            totals.add(figures)
        day += timedelta(days=1)
    return totals


def build_rows(world, account, campaigns, query: InsightsQuery) -> list[dict]:
    """Insights rows for `campaigns` of `account`, ordered by bucket then object (deterministic)."""
    selected = [
        c
        for c in campaigns
        if query.object_ids is None
        or query.object_ids & {c.message_campaign_id, c.adset_id, c.ad_id}
    ]
    rows = []
    for start, stop in query.buckets:
        per_campaign = [(c, _sum_days(world, c, start, stop)) for c in selected]
        if query.level == "account":
            merged = _Totals()
            for _, totals in per_campaign:
                _merge(merged, totals)
            groups = [(None, merged)]
        else:
            groups = per_campaign
        for campaign, totals in groups:
            if not totals.empty():
                rows.append(render_row(account, campaign, totals, query, start, stop))
    return rows


def _merge(into: _Totals, other: _Totals) -> None:
    into.sent += other.sent
    into.delivered += other.delivered
    into.reads += other.reads
    into.link_clicks += other.link_clicks
    into.spend += other.spend
    for action_type, windows in other.actions.items():
        mine = into.actions.setdefault(action_type, {})
        for window, (count, value) in windows.items():
            slot = mine.setdefault(window, [0, Decimal(0)])
            slot[0] += count
            slot[1] += value


def money(amount: Decimal, currency_offset: int) -> str:
    """Currency units as Meta prints them: 2 decimals, none for a currency without minor unit."""
    places = Decimal(1) / Decimal(currency_offset) if currency_offset > 1 else Decimal(1)
    return f"{Decimal(amount).quantize(places, rounding=ROUND_HALF_UP):f}"


def ratio(numerator, denominator, scale: int = 1) -> str | None:
    """numerator × scale ÷ denominator with at most 6 decimals, trailing zeros cut; None if ÷0."""
    if not denominator:
        return None
    value = (Decimal(numerator) * scale / Decimal(denominator)).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def render_row(account, campaign, totals: _Totals, query: InsightsQuery, start: date, stop: date) -> dict:
    level_rank = LEVELS.index(query.level)
    row: dict = {}
    for name in query.fields:
        if name in IDENTITY_FIELDS:
            if LEVELS.index(IDENTITY_FIELDS[name]) <= level_rank:
                row[name] = _identity(name, account, campaign)
        elif name in COUNT_FIELDS:
            row[name] = str(getattr(totals, COUNT_FIELDS[name]))
        elif name in MONEY_FIELDS:
            row[name] = money(totals.spend, account.currency_offset)
        elif name in RATE_FIELDS:
            numerator, denominator, scale = RATE_FIELDS[name]
            value = ratio(getattr(totals, numerator), getattr(totals, denominator), scale)
            if value is not None:
                row[name] = value
        elif name in ACTION_FIELDS:
            stats = _action_stats(name, totals, query, account.currency_offset)
            if stats:
                row[name] = stats
    row["date_start"] = start.isoformat()
    row["date_stop"] = stop.isoformat()
    return row


def _identity(name: str, account, campaign) -> str:
    if name == "account_id":
        return account.account_id
    if name == "account_name":
        return account.name
    if name == "account_currency":
        return account.currency
    if name.endswith("_name"):
        return campaign.name
    return {"campaign_id": campaign.message_campaign_id, "adset_id": campaign.adset_id, "ad_id": campaign.ad_id}[name]


def _action_stats(name: str, totals: _Totals, query: InsightsQuery, currency_offset: int) -> list[dict]:
    windows = [w for w in query.windows if w in WORLD_WINDOWS]
    stats = []
    for action_type in sorted(totals.actions):
        if query.action_types is not None and action_type not in query.action_types:
            continue
        if action_type in query.excluded_action_types:
            continue
        if name == "website_purchase_roas" and action_type != PURCHASE:
            continue
        by_window = totals.actions[action_type]
        entry = {"action_type": action_type}
        for key, window in [("value", "default")] + [(w, w) for w in windows]:
            count, value = by_window.get(window, (0, Decimal(0)))
            if name == "actions":
                rendered = str(count)
            elif name == "action_values":
                rendered = money(value, currency_offset)
            elif name == "cost_per_action_type":
                rendered = ratio(totals.spend, count)
            else:  # website_purchase_roas: purchase value per unit of spend
                rendered = ratio(value, totals.spend)
            if rendered is not None:
                entry[key] = rendered
        # Zero action types are omitted (reference §1.3): counts for counts, values for values.
        interesting = [by_window.get(w, (0, 0)) for w in ["default", *windows]]
        position = 0 if name in ("actions", "cost_per_action_type") else 1
        if any(item[position] for item in interesting) and "value" in entry:
            stats.append(entry)
    return stats
