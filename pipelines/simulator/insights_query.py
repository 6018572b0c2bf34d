"""The `/insights` edge's parameters (reference §1.4) read into an `InsightsQuery`.

Accepts what Meta accepts and what its docs show: JSON with double quotes or the docs' single-quoted
pseudo-JSON for `time_range`, `time_ranges` and `filtering`; comma lists or JSON lists for `fields`,
`action_breakdowns` and `action_attribution_windows`; every `date_preset` (default `last_30d`,
resolved in the account's time zone); `time_increment` 1..90, `all_days` or `monthly`. Refusals are
`QueryError`s carrying Meta's code (100, or 3018 for a start beyond 37 months).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

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
