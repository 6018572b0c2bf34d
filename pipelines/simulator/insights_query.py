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
from pipelines.simulator.filters import FilterError, Rule, parse_rules
from pipelines.simulator.insights_fields import (
    ACTION_BREAKDOWNS,
    ACTION_FIELDS,
    ATTRIBUTION_WINDOWS,
    BREAKDOWN_VALUES,
    DEFAULT_FIELDS,
    IDENTITY_FIELDS,
    LEVELS,
    METRIC_FIELDS,
    UNMODELLED_FIELDS,
)

KNOWN_FIELDS = (
    METRIC_FIELDS | set(ACTION_FIELDS) | set(IDENTITY_FIELDS) | UNMODELLED_FIELDS | set(BREAKDOWN_VALUES)
) | {"date_start", "date_stop"}
NODES = ("campaign", "adset", "ad")
OBJECT_FIELDS = ("id", "name", "effective_status", "status")


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
    object_rules: tuple[Rule, ...] = ()  # on the campaign / ad set / ad of a row
    metric_rules: tuple[Rule, ...] = ()  # on a row's metric (`ad.impressions GREATER_THAN 0`)
    object_ids: frozenset[str] | None = None
    breakdowns: tuple[str, ...] = ()
    action_breakdowns: tuple[str, ...] = ("action_type",)
    sort: tuple[str, bool] | None = None  # (field or "actions:<type>", descending)
    summary: tuple[str, ...] | None = None  # fields of the summary row; None: no summary

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
    breakdowns = tuple(_list_param(params.get("breakdowns")))
    for name in breakdowns:
        if name not in BREAKDOWN_VALUES:
            raise QueryError(f"(#100) breakdowns[0] must be one of the following values: {', '.join(BREAKDOWN_VALUES)}")
    action_breakdowns = tuple(_list_param(params.get("action_breakdowns"))) if "action_breakdowns" in params else ("action_type",)
    for name in action_breakdowns:
        if name not in ACTION_BREAKDOWNS:
            raise QueryError(f"(#100) action_breakdowns[0] must be one of the following values: {', '.join(ACTION_BREAKDOWNS)}")
    sort = _parse_sort(params.get("sort"), fields)
    summary = _parse_summary(params, fields)

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

    requested_windows = _list_param(params.get("action_attribution_windows"))
    for name in requested_windows:
        if name not in ATTRIBUTION_WINDOWS:
            raise QueryError(f"(#100) action_attribution_windows[0] must be one of the following values: "
                             f"{', '.join(ATTRIBUTION_WINDOWS)}")
    windows = tuple(w for w in requested_windows if w != "default")
    try:
        rules = parse_rules(params.get("filtering"), loose_json)
    except FilterError as error:
        raise QueryError(str(error)) from error
    action_types, excluded, object_rules, metric_rules = _split_rules(rules)
    return InsightsQuery(fields, level, tuple(buckets), windows, action_types, excluded, object_rules, metric_rules,
                         None, breakdowns, action_breakdowns, sort, summary)


def _split_rules(rules: list[Rule]):
    """action_type rules, rules on a row's objects, rules on a row's metrics."""
    action_types = None
    excluded: frozenset[str] = frozenset()
    object_rules, metric_rules = [], []
    for rule in rules:
        path = rule.field.split(".")
        if rule.field == "action_type":
            if rule.operator not in ("IN", "EQUAL", "NOT_IN", "NOT_EQUAL"):
                raise QueryError(f"(#100) filtering operator {rule.operator} is not supported on action_type")
            values = frozenset(rule.values)
            if rule.negative:
                excluded = excluded | values
            else:
                action_types = values if action_types is None else action_types & values
        elif len(path) == 2 and path[0] in NODES and path[1] in OBJECT_FIELDS:
            object_rules.append(rule)
        elif path[-1] in METRIC_FIELDS and (len(path) == 1 or (len(path) == 2 and path[0] in NODES)):
            metric_rules.append(Rule(path[-1], rule.operator, rule.values))
        else:
            raise QueryError(f"(#100) Filtering field {rule.field} with operation {rule.operator} is invalid")
    return action_types, excluded, tuple(object_rules), tuple(metric_rules)


def _parse_sort(raw: str | None, fields: tuple[str, ...]) -> tuple[str, bool] | None:
    """`reach_descending` or `actions:link_click_ascending` (at most one element, §1.4)."""
    items = _list_param(raw)
    if not items:
        return None
    if len(items) > 1:
        raise QueryError("(#100) sort accepts at most one element")
    name, _, direction = items[0].rpartition("_")
    if direction not in ("ascending", "descending") or not name:
        raise QueryError(f"(#100) sort must be <field>_ascending or <field>_descending; got {items[0]!r}")
    base = name.split(":", 1)[0]
    if base not in METRIC_FIELDS and base not in ACTION_FIELDS:
        raise QueryError(f"(#100) {name} is not valid for sort param")
    return name, direction == "descending"


def _parse_summary(params: Mapping[str, str], fields: tuple[str, ...]) -> tuple[str, ...] | None:
    """`summary=<fields>` or `default_summary=true`; the SDK's `summary=true` asks for the fields requested."""
    raw = params.get("summary")
    wanted = None
    if raw is not None and raw.strip().lower() not in ("false", "0", ""):
        wanted = fields if raw.strip().lower() in ("true", "1") else tuple(_list_param(raw))
    elif str(params.get("default_summary", "")).lower() in ("true", "1"):
        wanted = fields
    if wanted is None:
        return None
    unknown = [name for name in wanted if name not in KNOWN_FIELDS]
    if unknown:
        raise QueryError(f"(#100) {unknown[0]} is not valid for summary param")
    return tuple(name for name in wanted if name not in IDENTITY_FIELDS and name not in BREAKDOWN_VALUES)
