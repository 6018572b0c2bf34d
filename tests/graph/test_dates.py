"""Account-local dates, range splitting and presets resolved in the account's time zone."""

from datetime import UTC, date, datetime

import pytest

from pipelines.graph.dates import account_today, months_before, preset_range, split_range
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
