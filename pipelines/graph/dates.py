"""Calendar dates in an ad account's own time zone (Meta reports insights in it, reference §1.4).

The client implements Meta's date rules itself, from the reference, and never borrows the
simulator's: tests pin both sides to hand-written dates, so a misreading cannot pass on both.
- `date_preset` values are the twenty of reference §1.4 (the same list as the SDK's `DatePreset`);
  `lifetime` was removed in v10 and is refused.
- `last_Nd` are the N whole days before today; `this_*` periods include today; `last_*` periods
  are whole calendar periods; `maximum` / `data_maximum` reach back 37 months.
- A start date more than 37 months before the account's today is Meta's error 3018.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.graph.errors import GraphError

RETENTION_MONTHS = 37
ONE_DAY = timedelta(days=1)


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
    """The same day of the month `months` months earlier; the month's last day if it is shorter."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def split_range(since: date, until: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """Two halves of an inclusive range of at least two days."""
    span = (until - since).days
    if span < 1:
        raise ValueError("a single day cannot be split")
    middle = since + timedelta(days=(span + 1) // 2 - 1)
    return (since, middle), (middle + ONE_DAY, until)


def _quarter_start(day: date) -> date:
    return date(day.year, day.month - (day.month - 1) % 3, 1)


def _last_days(n: int) -> Callable[[date], tuple[date, date]]:
    return lambda today: (today - timedelta(days=n), today - ONE_DAY)


def _previous_week(first_weekday: int) -> Callable[[date], tuple[date, date]]:
    """The whole week before this one, weeks starting on `first_weekday` (0 = Monday, 6 = Sunday)."""

    def resolve(today: date) -> tuple[date, date]:
        this_week = today - timedelta(days=(today.weekday() - first_weekday) % 7)
        return this_week - timedelta(days=7), this_week - ONE_DAY

    return resolve


def _week_to_date(first_weekday: int) -> Callable[[date], tuple[date, date]]:
    return lambda today: (today - timedelta(days=(today.weekday() - first_weekday) % 7), today)


def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - ONE_DAY
    return end.replace(day=1), end


def _last_quarter(today: date) -> tuple[date, date]:
    end = _quarter_start(today) - ONE_DAY
    return _quarter_start(end), end


def _retention(today: date) -> tuple[date, date]:
    return months_before(today, RETENTION_MONTHS), today


# Reference §1.4, in the order it lists them.
DATE_PRESETS: dict[str, Callable[[date], tuple[date, date]]] = {
    "today": lambda today: (today, today),
    "yesterday": lambda today: (today - ONE_DAY, today - ONE_DAY),
    "this_month": lambda today: (today.replace(day=1), today),
    "last_month": _last_month,
    "this_quarter": lambda today: (_quarter_start(today), today),
    "maximum": _retention,
    "data_maximum": _retention,
    "last_3d": _last_days(3),
    "last_7d": _last_days(7),
    "last_14d": _last_days(14),
    "last_28d": _last_days(28),
    "last_30d": _last_days(30),
    "last_90d": _last_days(90),
    "last_week_mon_sun": _previous_week(0),
    "last_week_sun_sat": _previous_week(6),
    "last_quarter": _last_quarter,
    "last_year": lambda today: (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    "this_week_mon_today": _week_to_date(0),
    "this_week_sun_today": _week_to_date(6),
    "this_year": lambda today: (date(today.year, 1, 1), today),
}


def preset_range(preset: str, timezone_name: str, now: datetime | None = None) -> tuple[date, date]:
    """Meta's `date_preset` as explicit (since, until) dates in the account's time zone.

    mmlens never sends `date_preset`: explicit `time_range`s make a run reproducible and let a
    partition mean one calendar date. Raises GraphError for a preset Meta does not list.
    """
    resolve = DATE_PRESETS.get(preset)
    if resolve is None:
        raise GraphError(f"unknown date_preset {preset!r}; expected one of: {', '.join(DATE_PRESETS)}")
    return resolve(account_today(timezone_name, now))


def oldest_insights_day(timezone_name: str, now: datetime | None = None) -> date:
    """The earliest `since` Meta accepts for this account today (older is error 3018)."""
    return months_before(account_today(timezone_name, now), RETENTION_MONTHS)
