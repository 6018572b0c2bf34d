"""Read-only queries against the analyst snapshot, formatted as a table, CSV or JSON.

Grain: whatever the query returns. The snapshot is opened read-only, so a query can neither change
data nor hold a lock the pipeline would wait on (the pipeline replaces the file by rename).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.errors import UsageError

FORMATS = ("table", "csv", "json")


def run_query(snapshot: Path, query: str) -> tuple[list[str], list[tuple]]:
    """Execute `query` on the snapshot opened read-only; returns column names and rows."""
    if not snapshot.is_file():
        raise UsageError(f"no analyst snapshot at {snapshot.name} yet: run `mmlens run` or `mmlens demo` first")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        relation = con.execute(query)
        if relation.description is None:
            return [], []
        columns = [d[0] for d in relation.description]
        return columns, relation.fetchall()
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UsageError(f"sql: {first_line}") from None
    finally:
        con.close()


def _plain(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (dt.timedelta, bytes)):
        return str(value)
    return value


def render(columns: list[str], rows: list[tuple], fmt: str, console: Console) -> None:
    """Print rows in the requested format; text from the data is never interpreted as markup."""
    if fmt == "json":
        console.file.write(json.dumps([dict(zip(columns, map(_plain, row))) for row in rows], ensure_ascii=False) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        console.file.write(buffer.getvalue())
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*("NULL" if v is None else str(_plain(v)) for v in row))
        console.print(table, markup=False)
        console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", markup=False)
