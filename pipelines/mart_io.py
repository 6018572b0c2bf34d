"""What every mart build shares: reading a query into polars, one transaction, replacing a window,
and where an incremental build over the raw export tables starts (rowid watermarks).

Plain Python over a DuckDB connection (no Dagster). Every build deletes its window and inserts the
new rows in ONE transaction, so a re-run gives identical tables and a failure leaves the previous
rows intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.warehouse import sql_text

BEGINNING = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class BuildResult:
    """What a build replaced: rows written and the first date rewritten (None: nothing new)."""

    frame: pl.DataFrame
    since: dt.date | None
    full: bool = False

    @property
    def rows_written(self) -> int:
        return self.frame.height


def read_query(con: duckdb.DuckDBPyConnection, name: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql_text(f"queries/{name}.sql"), params=params).pl()


def utc_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: all of it lands or none (each commit also costs a WAL flush)."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def write_window(con: duckdb.DuckDBPyConnection, delete: str, delete_params: list, insert: str, rows: pl.DataFrame,
                 state: tuple[str, pl.DataFrame] | None = None) -> None:
    """Delete a window and insert its rows (and record the build state), inside a transaction.

    The frames are unregistered only on success: a failed statement aborts the transaction, where
    unregistering fails too and would replace the build's own error by "transaction is aborted";
    the rollback drops the views registered in it."""
    con.register("mart_rows", rows)
    con.execute(sql_text(f"queries/{delete}.sql"), delete_params)
    con.execute(sql_text(f"queries/{insert}.sql"))
    if state is not None:
        mart, watermarks = state
        con.register("watermark_rows", watermarks)
        con.execute(sql_text("queries/mart_replace_build_watermarks.sql"), [mart])
        con.unregister("watermark_rows")
    con.unregister("mart_rows")


def replace_window(con: duckdb.DuckDBPyConnection, delete: str, delete_params: list, insert: str, rows: pl.DataFrame,
                   state: tuple[str, pl.DataFrame] | None = None) -> None:
    """Delete a window and insert its rows (and record the build state) in one transaction."""
    with transaction(con):
        write_window(con, delete, delete_params, insert, rows, state)


def incremental_start(con: duckdb.DuckDBPyConnection, mart: str, full: bool,
                       now: pl.DataFrame) -> tuple[dt.date | None, bool, tuple[int, int]]:
    """(first UTC date to rebuild, whether it is a full rebuild, the (send, webhook) rowids read so
    far); (None, False, ...) when nothing is new.

    `now` is how far the raw export tables reach (rowid, count). Rows past the rowid the mart read
    last time are the new ones; when the counts do not add up (a raw table was rebuilt), or on
    the first build, everything is rebuilt.
    """
    seen = {row[0]: row[1:] for row in read_query(con, "mart_build_watermarks", [mart]).iter_rows()}
    if full or len(seen) < now.height:
        return BEGINNING, True, (-1, -1)
    reach = {row[0]: row[1:] for row in now.iter_rows()}
    (sends_rowid, sends_count), (events_rowid, events_count) = seen["send_attempts"], seen["webhook_events"]
    ((earliest, new_rows, new_sends, new_events),) = con.execute(
        sql_text("queries/mart_earliest_new_rows.sql"), [sends_rowid, events_rowid]).fetchall()
    if (reach["send_attempts"][1] - sends_count != (new_sends or 0)
            or reach["webhook_events"][1] - events_count != (new_events or 0)):
        return BEGINNING, True, (-1, -1)  # rows went missing or were rewritten: the raw table was rebuilt
    return (earliest.date() if new_rows and earliest is not None else None), False, (sends_rowid, events_rowid)
