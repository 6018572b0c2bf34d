"""`mmlens sql`: one query against the sandboxed analyst snapshot, printed as a table, CSV or JSON.

Grain: whatever the query returns. The connection and its limits are `pipelines.analyst_sandbox`.
Text from the data never reaches the terminal as control sequences (`pipelines.visible_text`): table
and CSV output show them as escapes, JSON as JSON escapes, so JSON values stay exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipelines import analyst_sandbox
from pipelines.errors import UsageError
from pipelines.visible_text import escape, json_escape

if TYPE_CHECKING:
    from pipelines.lake.config import LakeSettings

FORMATS = ("table", "csv", "json")


def run_query(snapshot: Path, query: str,
              time_limit: float = analyst_sandbox.DEFAULT_TIME_LIMIT_SECONDS,
              lake: LakeSettings | None = None) -> tuple[list[str], list[tuple]]:
    """Execute one statement on the sandboxed snapshot (the lake's tables in lake mode); returns
    column names and rows. What lake mode cannot show yet is one line on stderr, before the query runs."""
    if not query.strip():
        raise UsageError("sql: the query is empty")
    con, message = open_analyst(snapshot, lake)
    if message:
        sys.stderr.write(message + "\n")
    try:
        return analyst_sandbox.execute_one(con, query, time_limit)
    finally:
        con.close()


def open_analyst(snapshot: Path, lake: LakeSettings | None = None) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """The analyst connection: over the lake's tables in lake mode (`pipelines.lake.analyst`),
    else the snapshot; with a one-line notice of the views lake mode cannot show yet, or None."""
    if lake is None:
        return analyst_sandbox.open_snapshot(snapshot), None
    from pipelines.lake.analyst import open_lake

    opened = open_lake(lake)
    notice = None
    if opened.unavailable:
        notice = ("lake mode: views not available, their tables are not in the lake yet: "
                  + ", ".join(opened.unavailable))
    return opened.con, notice


def _plain(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (dt.timedelta, bytes)):
        return str(value)
    return value


def _cell(value: object) -> str:
    return "NULL" if value is None else escape(str(_plain(value)), keep_newlines=True)


def render(columns: list[str], rows: list[tuple], fmt: str, console: Console) -> None:
    """Print rows in the requested format; text from the data is never interpreted as markup."""
    if fmt == "json":
        text = json.dumps([dict(zip(columns, map(_plain, row), strict=True)) for row in rows], ensure_ascii=False)
        console.file.write(json_escape(text) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([escape(c) for c in columns])
        writer.writerows([["" if v is None else escape(str(_plain(v))) for v in row] for row in rows])
        console.file.write(buffer.getvalue())
    else:
        # Text objects, not str: rich would otherwise read `[...]` in the data as markup.
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(Text(escape(column)))
        for row in rows:
            table.add_row(*(Text(_cell(v)) for v in row))
        console.print(table, markup=False)
        console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", markup=False)
