"""Calendar dates in an ad account's own time zone (Meta reports insights in it, §1.4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.graph.errors import GraphError
# Meta's calendar rules (presets, the 37-month limit) are implemented once, as plain functions
# next to the simulator that serves them.
from pipelines.simulator.dates import RETENTION_MONTHS, months_before, resolve_date_preset  # noqa: F401


def zone(timezone_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphError(f"unknown time zone {timezone_name!r} on an ad account") from None


def account_today(timezone_name: str, now: datetime | None = None) -> date:
    """Today's date in the account's time zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(zone(timezone_name)).date()


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
    try:
        return resolve_date_preset(preset, account_today(timezone_name, now))
    except ValueError as error:
        raise GraphError(str(error)) from None
