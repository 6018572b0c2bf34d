"""The partitions definitions. A daily partition key is a calendar date; each ad account
interprets it in its own time zone (Meta reports insights in the account's time zone).

Lake mode's `account_job` (pipelines/account_definitions.py) is partitioned by (date × ad account):
the accounts are dynamic partitions, added from `META_AD_ACCOUNT_IDS` by `mmlens backfill`. A run
covers a rectangle of that grid (a range of dates for a range of accounts), which `window_of`
turns into the accounts and dates the run pulls, builds and publishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg

PARTITIONS_START = "2024-01-01"
DATE_DIMENSION = "date"
ACCOUNT_DIMENSION = "ad_account"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1)
account_partitions = dg.DynamicPartitionsDefinition(name=ACCOUNT_DIMENSION)
account_day_partitions = dg.MultiPartitionsDefinition(
    {DATE_DIMENSION: daily_partitions, ACCOUNT_DIMENSION: account_partitions})


@dataclass(frozen=True)
class AccountWindow:
    """What one run of `account_job` owns: these accounts, every day from `since` to `until`."""

    accounts: tuple[str, ...]
    since: dt.date
    until: dt.date


class PartitionWindowError(ValueError):
    """Partition keys that are not a whole rectangle of dates × accounts."""


def account_range_keys(account: str, since: dt.date, until: dt.date) -> tuple[str, str]:
    """The first and last multi-partition keys of one account's date range, as a run's
    `dagster/asset_partition_range_start` / `_end` tags give them."""
    first = dg.MultiPartitionKey({DATE_DIMENSION: since.isoformat(), ACCOUNT_DIMENSION: account})
    last = dg.MultiPartitionKey({DATE_DIMENSION: until.isoformat(), ACCOUNT_DIMENSION: account})
    return str(first), str(last)


def window_of(keys: Iterable[dg.MultiPartitionKey]) -> AccountWindow:
    """The accounts and the date range of a run's partition keys; PartitionWindowError unless they
    are every date of the range for every account (a run replaces whole windows of the lake)."""
    pairs = {(k.keys_by_dimension[ACCOUNT_DIMENSION], k.keys_by_dimension[DATE_DIMENSION]) for k in keys}
    if not pairs:
        raise PartitionWindowError("no partition keys")
    accounts = sorted({account for account, _ in pairs})
    days = sorted({dt.date.fromisoformat(day) for _, day in pairs})
    since, until = days[0], days[-1]
    span = (until - since).days + 1
    if len(pairs) != len(accounts) * span:
        raise PartitionWindowError(f"{len(pairs)} partitions are not every day of {since}..{until} for "
                                   f"each of {len(accounts)} account(s)")
    return AccountWindow(tuple(accounts), since, until)
