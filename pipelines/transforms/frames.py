"""Small helpers shared by the transforms: UTC timestamps, the type of a frame's schema."""

from __future__ import annotations

from typing import TypeAlias

import polars as pl

# Column name to polars type, as written in the schemas: a class (pl.String) or an instance (pl.Decimal(18, 4)).
Schema: TypeAlias = dict[str, pl.DataType | type[pl.DataType]]


def utc_naive(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Timestamps as naive UTC datetimes, whether they arrive zone-aware (DuckDB timestamptz) or
    already naive (taken as UTC), so `.dt.date()` is the UTC date everywhere."""
    updates = []
    for name in columns:
        dtype = frame.schema[name]
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            updates.append(pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None))
    return frame.with_columns(updates) if updates else frame


def utc_date(column: str) -> pl.Expr:
    """The date of a naive UTC timestamp column (see `utc_naive`)."""
    return pl.col(column).dt.date()

