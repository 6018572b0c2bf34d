"""What the assets share for the Dagster UI: asset keys of the marts and table previews."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
import polars as pl

# Every step that opens the warehouse, writer or reader, takes a slot of this pool (limit 1 in
# pipelines/config/dagster.yaml): DuckDB lets one process write, and refuses readers meanwhile.
DUCKDB_POOL = "duckdb"
MART_NAMES = ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates",
              "responses_daily")
# JavaScript numbers are exact up to 2**53; the UI would show larger integers rounded.
_EXACT_IN_JS = 2**53


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


MART_KEYS = [mart_key(name) for name in MART_NAMES]


def _column_type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    if dtype == pl.Boolean:
        return "bool"
    return "string"


def _cell(value: object) -> str | int | float | bool | None:
    """A value the UI shows as it is: numbers stay numbers where JSON and JavaScript keep them
    exact; dates, decimals, NaN and huge integers become their text."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _EXACT_IN_JS else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def rows_preview(rows: Sequence[Mapping[str, object]], columns: Mapping[str, str]) -> dg.TableMetadataValue:
    """Rows as a Dagster table; `columns` maps each column to its type (`string`, `int`, ...).

    The UI draws every cell as plain text, so Meta's text (Markdown, HTML) stays inert there; a
    hand-made Markdown table would render `**x**` bold and `[a](http://e)` as a link."""
    schema = dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns.items()])
    records = [dg.TableRecord({name: _cell(row.get(name)) for name in columns}) for row in rows]
    return dg.MetadataValue.table(records, schema)


def table_preview(frame: pl.DataFrame, rows: int = 10) -> dg.TableMetadataValue:
    """The first `rows` rows of `frame` with its column names and types (an empty table says so
    by having no rows)."""
    head = frame.head(rows)
    return rows_preview(head.to_dicts(), {name: _column_type(dtype) for name, dtype in head.schema.items()})


def add_partition_row_counts(context: dg.AssetExecutionContext, key: dg.AssetKey, dates: Iterable[dt.date]) -> None:
    """Give each partition of the run (also of a range run) the count of its own date's rows, as
    `dagster/partition_row_count`; a date without rows counts 0."""
    counts = Counter(dates)
    for partition in context.partition_keys:
        rows = counts.get(dt.date.fromisoformat(partition), 0)
        context.add_asset_metadata({"dagster/partition_row_count": dg.MetadataValue.int(rows)}, asset_key=key,
                                   partition_key=partition)
