"""`filtering` rules (reference §1.4): `[{field, operator, value}]`, used by listings and insights.

Operators are those Meta documents. Text operators compare case-sensitively except status values,
which Meta writes in capitals and clients send either way; number operators read the value as a
decimal. A rule names a field with DOT notation (`ad.effective_status`, `campaign.is_message_campaign`);
the caller resolves the path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SET_OPERATORS = ("EQUAL", "NOT_EQUAL", "IN", "NOT_IN")
TEXT_OPERATORS = ("CONTAIN", "NOT_CONTAIN", "STARTS_WITH", "ENDS_WITH")
NUMBER_OPERATORS = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "IN_RANGE",
                    "NOT_IN_RANGE")
OPERATORS = SET_OPERATORS + TEXT_OPERATORS + NUMBER_OPERATORS + (
    "CONTAINS_ANY", "CONTAINS_ALL", "NOT_CONTAINS_ANY", "STEM_MATCH", "ANY", "ALL", "AFTER", "BEFORE",
    "ON_OR_AFTER", "ON_OR_BEFORE", "NONE", "TOP")


class FilterError(ValueError):
    """A rule Meta would refuse (Graph error 100)."""


@dataclass(frozen=True)
class Rule:
    field: str
    operator: str
    values: tuple[str, ...]

    @property
    def negative(self) -> bool:
        return self.operator.startswith("NOT")


def parse_rules(raw, loads) -> list[Rule]:
    """The rules of a `filtering` parameter; `loads` parses the (pseudo-)JSON text."""
    if not raw:
        return []
    try:
        rules = loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as error:
        raise FilterError(f"(#100) filtering must be a JSON list of rules; got {raw!r}") from error
    parsed = []
    for rule in rules if isinstance(rules, list) else [rules]:
        try:
            name, operator, value = str(rule["field"]), str(rule["operator"]).upper(), rule["value"]
        except (KeyError, TypeError) as error:
            raise FilterError("(#100) each filtering rule needs field, operator and value") from error
        if operator not in OPERATORS:
            raise FilterError(f"(#100) filtering operator {operator} is not a valid operator")
        items = value if isinstance(value, list) else [value]
        parsed.append(Rule(name, operator, tuple(_text(v) for v in items)))
    return parsed


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches(actual, rule: Rule) -> bool:
    """Whether one field value passes a rule; FilterError for an operator the field cannot take."""
    operator = rule.operator
    if operator in SET_OPERATORS:
        text = _text(actual).upper()
        return (text in {v.upper() for v in rule.values}) != rule.negative
    if operator in TEXT_OPERATORS:
        text = _text(actual)
        needle = rule.values[0] if rule.values else ""
        hit = {"CONTAIN": needle in text, "NOT_CONTAIN": needle in text,
               "STARTS_WITH": text.startswith(needle), "ENDS_WITH": text.endswith(needle)}[operator]
        return hit != rule.negative
    if operator in NUMBER_OPERATORS:
        try:
            number = Decimal(_text(actual))
            bounds = [Decimal(v) for v in rule.values]
        except InvalidOperation as error:
            raise FilterError(f"(#100) filtering {rule.field} {operator} needs numbers") from error
        if operator in ("IN_RANGE", "NOT_IN_RANGE"):
            if len(bounds) != 2:
                raise FilterError(f"(#100) filtering {rule.field} {operator} needs [low, high]")
            return (bounds[0] <= number <= bounds[1]) != rule.negative
        bound = bounds[0]
        return {"GREATER_THAN": number > bound, "GREATER_THAN_OR_EQUAL": number >= bound,
                "LESS_THAN": number < bound, "LESS_THAN_OR_EQUAL": number <= bound}[operator]
    raise FilterError(f"(#100) Filtering operator {operator} is not supported on {rule.field}")


def lookup(obj: dict, path: list[str]):
    """The value at a DOT path of a node dict, or a KeyError when the node has no such field."""
    value = obj
    for part in path:
        if not isinstance(value, dict) or part not in value:
            raise KeyError(part)
        value = value[part]
    return value
