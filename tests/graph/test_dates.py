"""Account-local dates, range splitting and presets resolved in the account's time zone."""

from datetime import UTC, date, datetime

import pytest

from pipelines.graph.dates import (
    DATE_PRESETS,
    _last_days,
    _previous_week,
    _week_to_date,
    account_today,
    months_before,
    oldest_insights_day,
    preset_range,
    split_range,
)
from pipelines.graph.errors import GraphError

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # still May 31 in Los Angeles, already June 1 in Tokyo


@pytest.mark.parametrize(("tz", "today"), [("America/Los_Angeles", date(2026, 5, 31)), ("Asia/Tokyo", date(2026, 6, 1)), ("UTC", date(2026, 6, 1))])
def test_account_today(tz, today):
    assert account_today(tz, NOW) == today


@pytest.mark.parametrize(
    ("preset", "tz", "expected"),
    [
        ("yesterday", "America/Los_Angeles", (date(2026, 5, 30), date(2026, 5, 30))),
        ("yesterday", "Asia/Tokyo", (date(2026, 5, 31), date(2026, 5, 31))),
        ("last_7d", "Asia/Tokyo", (date(2026, 5, 25), date(2026, 5, 31))),
        ("today", "America/Los_Angeles", (date(2026, 5, 31), date(2026, 5, 31))),
    ],
)
def test_presets_resolve_in_the_account_time_zone(preset, tz, expected):
    assert preset_range(preset, tz, NOW) == expected


# Every expected range is written by hand from reference §1.4.
# 2026-01-01 11:00 UTC: Thu Jan 1 in UTC and Tokyo, already Fri Jan 2 in Kiritimati (UTC+14).
NEW_YEAR = datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
# 2026-01-01 06:00 UTC: still Wed Dec 31 (22:00) in Los Angeles.
LA_EVE = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
# 2026-03-01 00:30 UTC: Sun Mar 1 in UTC, Sat Feb 28 in Los Angeles.
MARCH = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
D = date.fromisoformat


@pytest.mark.parametrize(
    ("now", "tz", "preset", "since", "until"),
    [
        (NEW_YEAR, "UTC", "today", "2026-01-01", "2026-01-01"),
        (NEW_YEAR, "UTC", "yesterday", "2025-12-31", "2025-12-31"),
        (NEW_YEAR, "UTC", "last_7d", "2025-12-25", "2025-12-31"),
        (NEW_YEAR, "UTC", "last_30d", "2025-12-02", "2025-12-31"),
        (NEW_YEAR, "UTC", "last_90d", "2025-10-03", "2025-12-31"),
        (NEW_YEAR, "UTC", "this_month", "2026-01-01", "2026-01-01"),
        (NEW_YEAR, "UTC", "last_month", "2025-12-01", "2025-12-31"),
        (NEW_YEAR, "UTC", "this_quarter", "2026-01-01", "2026-01-01"),
        (NEW_YEAR, "UTC", "last_quarter", "2025-10-01", "2025-12-31"),
        (NEW_YEAR, "UTC", "this_year", "2026-01-01", "2026-01-01"),
        (NEW_YEAR, "UTC", "last_year", "2025-01-01", "2025-12-31"),
        (NEW_YEAR, "UTC", "this_week_mon_today", "2025-12-29", "2026-01-01"),
        (NEW_YEAR, "UTC", "this_week_sun_today", "2025-12-28", "2026-01-01"),
        (NEW_YEAR, "UTC", "last_week_mon_sun", "2025-12-22", "2025-12-28"),
        (NEW_YEAR, "UTC", "last_week_sun_sat", "2025-12-21", "2025-12-27"),
        (NEW_YEAR, "UTC", "maximum", "2022-12-01", "2026-01-01"),
        (NEW_YEAR, "UTC", "data_maximum", "2022-12-01", "2026-01-01"),
        (NEW_YEAR, "Asia/Tokyo", "last_week_mon_sun", "2025-12-22", "2025-12-28"),
        (LA_EVE, "America/Los_Angeles", "yesterday", "2025-12-30", "2025-12-30"),
        (LA_EVE, "America/Los_Angeles", "last_3d", "2025-12-28", "2025-12-30"),
        (LA_EVE, "America/Los_Angeles", "this_month", "2025-12-01", "2025-12-31"),
        (LA_EVE, "America/Los_Angeles", "last_month", "2025-11-01", "2025-11-30"),
        (LA_EVE, "America/Los_Angeles", "this_quarter", "2025-10-01", "2025-12-31"),
        (LA_EVE, "America/Los_Angeles", "last_quarter", "2025-07-01", "2025-09-30"),
        (LA_EVE, "America/Los_Angeles", "this_year", "2025-01-01", "2025-12-31"),
        (LA_EVE, "America/Los_Angeles", "last_year", "2024-01-01", "2024-12-31"),
        (LA_EVE, "America/Los_Angeles", "this_week_mon_today", "2025-12-29", "2025-12-31"),
        (LA_EVE, "America/Los_Angeles", "maximum", "2022-11-30", "2025-12-31"),
        (NEW_YEAR, "Pacific/Kiritimati", "yesterday", "2026-01-01", "2026-01-01"),
        (NEW_YEAR, "Pacific/Kiritimati", "last_7d", "2025-12-26", "2026-01-01"),
        (NEW_YEAR, "Pacific/Kiritimati", "last_14d", "2025-12-19", "2026-01-01"),
        (NEW_YEAR, "Pacific/Kiritimati", "last_28d", "2025-12-05", "2026-01-01"),
        (NEW_YEAR, "Pacific/Kiritimati", "this_month", "2026-01-01", "2026-01-02"),
        (NEW_YEAR, "Pacific/Kiritimati", "this_week_sun_today", "2025-12-28", "2026-01-02"),
        (NEW_YEAR, "Pacific/Kiritimati", "last_week_sun_sat", "2025-12-21", "2025-12-27"),
        (MARCH, "UTC", "this_week_sun_today", "2026-03-01", "2026-03-01"),
        (MARCH, "UTC", "this_week_mon_today", "2026-02-23", "2026-03-01"),
        (MARCH, "UTC", "last_week_sun_sat", "2026-02-22", "2026-02-28"),
        (MARCH, "UTC", "last_week_mon_sun", "2026-02-16", "2026-02-22"),
        (MARCH, "UTC", "last_month", "2026-02-01", "2026-02-28"),
        (MARCH, "UTC", "this_quarter", "2026-01-01", "2026-03-01"),
        (MARCH, "America/Los_Angeles", "this_week_sun_today", "2026-02-22", "2026-02-28"),
        (MARCH, "America/Los_Angeles", "last_week_sun_sat", "2026-02-15", "2026-02-21"),
        (MARCH, "America/Los_Angeles", "this_month", "2026-02-01", "2026-02-28"),
        (MARCH, "America/Los_Angeles", "last_month", "2026-01-01", "2026-01-31"),
        (MARCH, "America/Los_Angeles", "maximum", "2023-01-28", "2026-02-28"),
    ],
)
def test_every_preset_by_hand(now, tz, preset, since, until):
    assert preset_range(preset, tz, now) == (D(since), D(until))


def test_the_preset_list_is_the_references():
    # Reference §1.4, copied by hand.
    assert set(DATE_PRESETS) == set(
        "today, yesterday, this_month, last_month, this_quarter, maximum, data_maximum, last_3d, last_7d, "
        "last_14d, last_28d, last_30d, last_90d, last_week_mon_sun, last_week_sun_sat, last_quarter, last_year, "
        "this_week_mon_today, this_week_sun_today, this_year".split(", ")
    )


@pytest.mark.parametrize(
    ("now", "tz", "oldest"),
    [(NEW_YEAR, "UTC", "2022-12-01"), (LA_EVE, "America/Los_Angeles", "2022-11-30"), (NEW_YEAR, "Pacific/Kiritimati", "2022-12-02")],
)
def test_oldest_insights_day_is_37_months_before_the_account_today(now, tz, oldest):
    assert oldest_insights_day(tz, now) == D(oldest)


def test_unknown_preset_is_refused():
    with pytest.raises(GraphError, match="lifetime"):
        preset_range("lifetime", "UTC", NOW)


@pytest.mark.parametrize(
    ("since", "until", "halves"),
    [
        (date(2026, 1, 1), date(2026, 1, 2), ((date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 1, 2), date(2026, 1, 2)))),
        (date(2026, 1, 1), date(2026, 1, 3), ((date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 1, 2), date(2026, 1, 3)))),
        (date(2026, 1, 1), date(2026, 3, 31), ((date(2026, 1, 1), date(2026, 2, 14)), (date(2026, 2, 15), date(2026, 3, 31)))),
    ],
)
def test_split_range_halves_cover_the_range_once(since, until, halves):
    assert split_range(since, until) == halves


def test_a_single_day_cannot_be_split():
    with pytest.raises(ValueError):
        split_range(date(2026, 1, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 1), 37, date(2023, 5, 1)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_unknown_preset_message_lists_the_references_presets():
    with pytest.raises(GraphError) as raised:
        preset_range("lifetime", "UTC", NOW)
    assert str(raised.value) == (
        "unknown date_preset 'lifetime'; expected one of: today, yesterday, this_month, last_month, this_quarter, "
        "maximum, data_maximum, last_3d, last_7d, last_14d, last_28d, last_30d, last_90d, last_week_mon_sun, "
        "last_week_sun_sat, last_quarter, last_year, this_week_mon_today, this_week_sun_today, this_year"
    )


@pytest.mark.parametrize("name", ["Mars/Base", "../etc/passwd", ""])
def test_an_unknown_time_zone_is_a_graph_error(name):
    with pytest.raises(GraphError) as raised:
        account_today(name, NOW)
    assert str(raised.value) == f"unknown time zone {name!r} on an ad account"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_account_today_defaults_to_now():
    before = datetime.now(UTC).date()
    today = account_today("UTC")
    assert today in (before, datetime.now(UTC).date())


@pytest.mark.parametrize("until", [date(2026, 1, 1), date(2025, 12, 1)])
def test_a_range_of_one_day_or_reversed_cannot_be_split(until):
    with pytest.raises(ValueError, match="^a single day cannot be split$"):
        split_range(date(2026, 1, 1), until)


# DATE_PRESETS holds what these factories built when the module was imported; they are called here
# too, so that a change inside one is seen. Sun 2025-12-28 to Sat 2026-01-03, by hand.
WEEK = [
    # today,      Mon-start week to date,      Sun-start week to date,     previous Mon-Sun,            previous Sun-Sat
    ("2025-12-28", ("2025-12-22", "2025-12-28"), ("2025-12-28", "2025-12-28"), ("2025-12-15", "2025-12-21"), ("2025-12-21", "2025-12-27")),
    ("2025-12-29", ("2025-12-29", "2025-12-29"), ("2025-12-28", "2025-12-29"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
    ("2025-12-30", ("2025-12-29", "2025-12-30"), ("2025-12-28", "2025-12-30"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
    ("2025-12-31", ("2025-12-29", "2025-12-31"), ("2025-12-28", "2025-12-31"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
    ("2026-01-01", ("2025-12-29", "2026-01-01"), ("2025-12-28", "2026-01-01"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
    ("2026-01-02", ("2025-12-29", "2026-01-02"), ("2025-12-28", "2026-01-02"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
    ("2026-01-03", ("2025-12-29", "2026-01-03"), ("2025-12-28", "2026-01-03"), ("2025-12-22", "2025-12-28"), ("2025-12-21", "2025-12-27")),
]


@pytest.mark.parametrize(("today", "mon_to_date", "sun_to_date", "mon_sun", "sun_sat"), WEEK)
def test_the_week_factories_on_each_day_of_a_week(today, mon_to_date, sun_to_date, mon_sun, sun_sat):
    day = D(today)
    assert _week_to_date(0)(day) == (D(mon_to_date[0]), D(mon_to_date[1]))
    assert _week_to_date(6)(day) == (D(sun_to_date[0]), D(sun_to_date[1]))
    assert _previous_week(0)(day) == (D(mon_sun[0]), D(mon_sun[1]))
    assert _previous_week(6)(day) == (D(sun_sat[0]), D(sun_sat[1]))


@pytest.mark.parametrize(("n", "since"), [(1, "2025-12-31"), (3, "2025-12-29"), (28, "2025-12-04")])
def test_the_last_days_factory(n, since):
    assert _last_days(n)(D("2026-01-01")) == (D(since), D("2025-12-31"))
