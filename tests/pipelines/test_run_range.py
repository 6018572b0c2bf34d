"""`mmlens run` refuses, before any run starts, a range Dagster cannot record or Meta cannot answer."""

from datetime import UTC, datetime

import pytest

from pipelines.errors import UsageError
from pipelines.run_commands import _check_partitions

# 2027-03-01 12:00 UTC is 00:00 on Mar 1 at UTC-12, the zone furthest behind: 37 months before
# it is 2024-02-01 (reference §1.4: older starts are error 3018).
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("start", "end"), [("2024-02-01", "2024-02-01"), ("2024-02-01", "2027-03-01"), ("2027-03-01", "2027-03-01")])
def test_ranges_inside_partitions_and_retention_are_accepted(start, end):
    _check_partitions(start, end, NOW)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-01-31", "2024-02-05", "run: 2024-01-31 is more than 37 months ago; Meta keeps insights from 2024-02-01 (error 3018)"),
        ("2027-02-01", "2027-03-02", "run: 2027-03-02 is after the last partition (2027-03-01, today in UTC)"),
        ("2023-12-31", "2024-01-02", "run: 2023-12-31 is before the first partition (2024-01-01)"),
    ],
)
def test_ranges_outside_are_refused_with_one_line(start, end, message):
    with pytest.raises(UsageError) as refused:
        _check_partitions(start, end, NOW)
    assert str(refused.value) == message
