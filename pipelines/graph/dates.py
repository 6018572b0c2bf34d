"""Calendar dates in an ad account's own time zone (Meta reports insights in it, §1.4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.graph.errors import GraphError


def zone(timezone_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphError(f"unknown time zone {timezone_name!r} on an ad account") from None


def account_today(timezone_name: str, now: datetime | None = None) -> date:
    """Today's date in the account's time zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(zone(timezone_name)).date()


def days(since: date, until: date) -> Iterator[date]:
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)


def split_range(since: date, until: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """Two halves of an inclusive range of at least two days."""
    span = (until - since).days
    if span < 1:
        raise ValueError("a single day cannot be split")
    middle = since + timedelta(days=(span + 1) // 2 - 1)
    return (since, middle), (middle + timedelta(days=1), until)
