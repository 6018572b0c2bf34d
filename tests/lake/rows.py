"""Small hand-written tables for the lake tests: one row per account and day, money as DECIMAL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

DAILY_SCHEMA = pa.schema([
    pa.field("ad_account_id", pa.string()),
    pa.field("date", pa.date32()),
    pa.field("spend", pa.decimal128(18, 4)),
    pa.field("delivered", pa.int64()),
])


def daily_rows(account: str, day: dt.date, spend: str, delivered: int) -> pa.Table:
    return pa.Table.from_pylist([{"ad_account_id": account, "date": day, "spend": Decimal(spend), "delivered": delivered}],
                                schema=DAILY_SCHEMA)
