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


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


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


def preset_range(preset: str, timezone_name: str, now: datetime | None = None) -> tuple[date, date]:
    """Meta's `date_preset` as explicit (since, until) dates in the account's time zone.

    mmlens never sends `date_preset`: explicit `time_range`s make a run reproducible and let a
    partition mean one calendar date. Raises GraphError for a preset Meta does not list.
    """
    # The simulator implements the reference's preset table as plain functions; one table only.
    from pipelines.simulator.dates import resolve_date_preset

    try:
        return resolve_date_preset(preset, account_today(timezone_name, now))
    except ValueError as error:
        raise GraphError(str(error)) from None
