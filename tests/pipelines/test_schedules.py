"""The daily schedule asks for one run over the trailing lookback window, ending yesterday."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.schedules import RANGE_END_TAG, RANGE_START_TAG, daily_schedule, lookback_range


@pytest.mark.parametrize(
    ("run_day", "lookback", "expected"),
    [
        (dt.date(2026, 3, 1), 28, ("2026-02-01", "2026-02-28")),   # crosses a month end
        (dt.date(2024, 3, 1), 28, ("2024-02-02", "2024-02-29")),   # leap year
        (dt.date(2026, 1, 1), 1, ("2025-12-31", "2025-12-31")),
    ],
)
def test_lookback_range(run_day: dt.date, lookback: int, expected: tuple[str, str]) -> None:
    assert lookback_range(run_day, lookback) == expected


def test_schedule_emits_one_range_run_with_configured_lookback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMLENS_LOOKBACK_DAYS", "7")
    when = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.timezone.utc)
    request = daily_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    assert request.tags[RANGE_START_TAG] == "2026-11-19"
    assert request.tags[RANGE_END_TAG] == "2026-11-25"
    assert request.run_key == "daily:2026-11-26"
