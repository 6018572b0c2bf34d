"""The simulator's date presets and time increments, pinned to hand-written dates from reference §1.4."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipelines.simulator.dates import DATE_PRESETS, local_today, resolve_date_preset, split_time_increment

WEDNESDAY = date(2026, 6, 17)
SUNDAY = date(2026, 6, 21)
NEW_YEAR = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("preset", "today", "since", "until"),
    [
        ("today", WEDNESDAY, "2026-06-17", "2026-06-17"),
        ("yesterday", WEDNESDAY, "2026-06-16", "2026-06-16"),
        ("last_3d", WEDNESDAY, "2026-06-14", "2026-06-16"),
        ("last_7d", WEDNESDAY, "2026-06-10", "2026-06-16"),
        ("last_14d", WEDNESDAY, "2026-06-03", "2026-06-16"),
        ("last_28d", WEDNESDAY, "2026-05-20", "2026-06-16"),
        ("last_30d", WEDNESDAY, "2026-05-18", "2026-06-16"),
        ("last_90d", WEDNESDAY, "2026-03-19", "2026-06-16"),
        ("this_month", WEDNESDAY, "2026-06-01", "2026-06-17"),
        ("last_month", WEDNESDAY, "2026-05-01", "2026-05-31"),
        ("last_month", NEW_YEAR, "2025-12-01", "2025-12-31"),
        ("this_quarter", WEDNESDAY, "2026-04-01", "2026-06-17"),
        ("last_quarter", WEDNESDAY, "2026-01-01", "2026-03-31"),
        ("last_quarter", NEW_YEAR, "2025-10-01", "2025-12-31"),
        ("this_year", WEDNESDAY, "2026-01-01", "2026-06-17"),
        ("last_year", WEDNESDAY, "2025-01-01", "2025-12-31"),
        ("this_week_mon_today", WEDNESDAY, "2026-06-15", "2026-06-17"),
        ("this_week_sun_today", WEDNESDAY, "2026-06-14", "2026-06-17"),
        ("this_week_mon_today", SUNDAY, "2026-06-15", "2026-06-21"),
        ("this_week_sun_today", SUNDAY, "2026-06-21", "2026-06-21"),
        ("last_week_mon_sun", WEDNESDAY, "2026-06-08", "2026-06-14"),
        ("last_week_sun_sat", WEDNESDAY, "2026-06-07", "2026-06-13"),
        ("last_week_mon_sun", SUNDAY, "2026-06-08", "2026-06-14"),
        ("last_week_sun_sat", SUNDAY, "2026-06-14", "2026-06-20"),
        ("maximum", WEDNESDAY, "2023-05-17", "2026-06-17"),
        ("data_maximum", date(2026, 5, 31), "2023-04-30", "2026-05-31"),
    ],
)
def test_resolve_date_preset(preset: str, today: date, since: str, until: str) -> None:
    """Week starts, month and quarter boundaries, and the 37-month clamp are where presets go wrong."""
    assert resolve_date_preset(preset, today) == (date.fromisoformat(since), date.fromisoformat(until))


@pytest.mark.parametrize("preset", DATE_PRESETS)
def test_every_preset_is_a_range_ending_by_today(preset: str) -> None:
    since, until = resolve_date_preset(preset, WEDNESDAY)
    assert since <= until <= WEDNESDAY


@pytest.mark.parametrize("preset", ["lifetime", "last_5d", "", "LAST_7D"])
def test_unknown_presets_are_refused(preset: str) -> None:
    with pytest.raises(ValueError, match="date_preset"):
        resolve_date_preset(preset, WEDNESDAY)


def test_local_today_follows_the_account_time_zone() -> None:
    instant = datetime(2026, 6, 17, 3, 0, tzinfo=UTC)
    assert local_today(instant, "America/Los_Angeles") == date(2026, 6, 16)
    assert local_today(instant, "Asia/Tokyo") == date(2026, 6, 17)


@pytest.mark.parametrize(
    ("increment", "expected"),
    [
        ("all_days", [("2026-01-30", "2026-03-02")]),
        ("monthly", [("2026-01-30", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-02")]),
        ("14", [("2026-01-30", "2026-02-12"), ("2026-02-13", "2026-02-26"), ("2026-02-27", "2026-03-02")]),
        (30, [("2026-01-30", "2026-02-28"), ("2026-03-01", "2026-03-02")]),
    ],
)
def test_split_time_increment(increment, expected) -> None:
    buckets = split_time_increment(date(2026, 1, 30), date(2026, 3, 2), increment)
    assert [(a.isoformat(), b.isoformat()) for a, b in buckets] == expected


def test_daily_increment_gives_one_bucket_per_day() -> None:
    buckets = split_time_increment(date(2026, 2, 27), date(2026, 3, 2), "1")
    assert [a for a, b in buckets if a == b] == [a for a, _ in buckets]
    assert len(buckets) == 4


@pytest.mark.parametrize("increment", ["0", "91", "weekly", "-1"])
def test_bad_increments_are_refused(increment: str) -> None:
    with pytest.raises(ValueError, match="time_increment"):
        split_time_increment(date(2026, 1, 1), date(2026, 1, 31), increment)
