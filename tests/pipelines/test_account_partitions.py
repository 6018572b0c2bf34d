"""The (date × ad account) partitions of lake mode's account_job: keys of one account's range, and
the window a run's keys give."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.partitions import (
    AccountWindow,
    PartitionWindowError,
    account_day_partitions,
    account_range_keys,
    window_of,
)


def _key(account: str, day: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"ad_account": account, "date": day})


def test_one_accounts_range_is_keyed_account_first_then_date() -> None:
    assert account_range_keys("1001", dt.date(2026, 1, 30), dt.date(2026, 2, 2)) == ("1001|2026-01-30", "1001|2026-02-02")


def test_range_keys_parse_back_into_both_dimensions() -> None:
    start, _ = account_range_keys("77", dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    key = account_day_partitions.get_partition_key_from_str(start)
    assert key.keys_by_dimension == {"ad_account": "77", "date": "2026-03-01"}


def test_a_rectangle_of_keys_is_its_accounts_and_first_and_last_day() -> None:
    keys = [_key(a, d) for a in ("9", "10") for d in ("2026-02-27", "2026-02-28", "2026-03-01")]
    assert window_of(keys) == AccountWindow(("10", "9"), dt.date(2026, 2, 27), dt.date(2026, 3, 1))


def test_one_key_is_one_account_and_one_day() -> None:
    assert window_of([_key("5", "2026-07-04")]) == AccountWindow(("5",), dt.date(2026, 7, 4), dt.date(2026, 7, 4))


@pytest.mark.parametrize("keys", [
    [_key("1", "2026-01-01"), _key("1", "2026-01-03")],  # a day missing in the middle
    [_key("1", "2026-01-01"), _key("1", "2026-01-02"), _key("2", "2026-01-02")],  # account 2 lacks a day
])
def test_keys_that_are_not_a_whole_rectangle_are_refused(keys: list[dg.MultiPartitionKey]) -> None:
    with pytest.raises(PartitionWindowError, match="not every day"):
        window_of(keys)


def test_no_keys_are_refused() -> None:
    with pytest.raises(PartitionWindowError, match="no partition keys"):
        window_of([])
