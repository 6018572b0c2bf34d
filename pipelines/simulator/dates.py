"""Insights date vocabulary as plain functions: `date_preset` → dates, `time_increment` → buckets.

Source: reference §1.4 (the preset list is identical in Meta's docs and SDK). Presets resolve
against the ad account's *local* today, because Meta reports insights in the account's time zone.
Conventions (Meta's, as documented and as observed by connectors):
- `last_Nd` are the N full days ending yesterday; today is excluded.
- `this_*` periods run up to and including today; `last_*` periods are complete calendar periods.
- `maximum` / `data_maximum` reach back 37 months, the insights retention limit (error 3018 beyond).
The Graph client implements the same rules on its own; tests pin both to hand-written dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipelines.simulator.digits import digits_int

DATE_PRESETS = (
    "today",
    "yesterday",
    "this_month",
    "last_month",
    "this_quarter",
    "maximum",
    "data_maximum",
    "last_3d",
    "last_7d",
    "last_14d",
    "last_28d",
    "last_30d",
    "last_90d",
    "last_week_mon_sun",
    "last_week_sun_sat",
    "last_quarter",
    "last_year",
    "this_week_mon_today",
    "this_week_sun_today",
    "this_year",
)
DEFAULT_DATE_PRESET = "last_30d"
RETENTION_MONTHS = 37
MAX_TIME_INCREMENT_DAYS = 90


def local_today(now_utc: datetime, timezone_name: str) -> date:
    """The calendar date in `timezone_name` at the aware instant `now_utc`."""
    return now_utc.astimezone(ZoneInfo(timezone_name)).date()


def months_before(day: date, months: int) -> date:
    """`day` moved back by whole months, clamped to the end of shorter months."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _month_length(year, month)))


def _month_length(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def resolve_date_preset(preset: str, today_local: date) -> tuple[date, date]:
    """(since, until), both inclusive, for a Graph `date_preset` seen on `today_local`.

    Raises ValueError naming the preset when it is not one of Meta's (e.g. `lifetime`, removed in v10).
    """
    t = today_local
    yesterday = t - timedelta(days=1)
    if preset == "today":
        return t, t
    if preset == "yesterday":
        return yesterday, yesterday
    if preset in DATE_PRESETS and preset.startswith("last_") and preset.endswith("d"):  # last_3d ... last_90d
        return t - timedelta(days=int(preset[5:-1])), yesterday
    if preset == "this_month":
        return t.replace(day=1), t
    if preset == "last_month":
        end = t.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return _quarter_start(t), t
    if preset == "last_quarter":
        end = _quarter_start(t) - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "this_year":
        return date(t.year, 1, 1), t
    if preset == "last_year":
        return date(t.year - 1, 1, 1), date(t.year - 1, 12, 31)
    if preset == "this_week_mon_today":
        return t - timedelta(days=t.weekday()), t
    if preset == "this_week_sun_today":
        return t - timedelta(days=(t.weekday() + 1) % 7), t
    if preset == "last_week_mon_sun":
        monday = t - timedelta(days=t.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if preset == "last_week_sun_sat":
        sunday = t - timedelta(days=(t.weekday() + 1) % 7 + 7)
        return sunday, sunday + timedelta(days=6)
    if preset in ("maximum", "data_maximum"):
        return months_before(t, RETENTION_MONTHS), t
    raise ValueError(f"unknown date_preset {preset!r}; expected one of: {', '.join(DATE_PRESETS)}")


def split_time_increment(since: date, until: date, increment: str | int) -> list[tuple[date, date]]:
    """The (date_start, date_stop) buckets `time_increment` cuts [since, until] into.

    `all_days` → one bucket; `monthly` → calendar months clipped to the range; an integer N in
    1..90 → consecutive N-day buckets from `since`, the last one clipped. ValueError otherwise.
    """
    if until < since:
        raise ValueError(f"time range ends ({until}) before it starts ({since})")
    if increment == "all_days":
        return [(since, until)]
    if increment == "monthly":
        buckets = []
        start = since
        while start <= until:
            end = min(date(start.year, start.month, _month_length(start.year, start.month)), until)
            buckets.append((start, end))
            start = end + timedelta(days=1)
        return buckets
    days = increment if isinstance(increment, int) else digits_int(str(increment)) or 0
    if not 1 <= days <= MAX_TIME_INCREMENT_DAYS:
        raise ValueError(
            f"time_increment must be all_days, monthly or an integer from 1 to {MAX_TIME_INCREMENT_DAYS}; got {increment!r}"
        )
    buckets = []
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        buckets.append((start, end))
        start = end + timedelta(days=1)
    return buckets
