"""The analyst connection: the snapshot opened read-only inside DuckDB's own locks.

What a connection from `open_snapshot` can do: read every table and view of the snapshot, run any
read-only query, make temporary tables in memory. What it cannot do, enforced by DuckDB before any
analyst SQL runs: touch any other file or URL (`enable_external_access = false`, so no ATTACH of the
warehouse, no COPY/EXPORT, no read_csv/read_text/glob of other paths, no extensions), change any
setting (`lock_configuration = true`), use more than `MEMORY_LIMIT` and `THREADS`, or spill to disk
(no temporary directory, so a reader never creates a file). Because the warehouse cannot be attached,
a reader never holds its lock, and the pipeline replaces the snapshot by rename, so a reader never
blocks a run.

Every statement runs alone (`execute_one`) under a time limit: a timer thread interrupts the
connection, the documented way to cancel a running DuckDB query.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from pipelines.errors import MmlensError, UsageError
from pipelines.visible_text import escape

MEMORY_LIMIT = "2GB"
THREADS = 2
DEFAULT_TIME_LIMIT_SECONDS = 60.0
# A result is held in Python memory (outside DuckDB's limit) before it is printed.
MAX_ROWS = 100_000

# Passed at connect time, so they hold before the first statement; lock_configuration then freezes
# them (SET, RESET and PRAGMA of any of them fail).
SANDBOX_CONFIG: dict[str, str | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "allow_extension_repositories": "forbidden",
    "memory_limit": MEMORY_LIMIT,
    "threads": THREADS,
    "temp_directory": "",
    "lock_configuration": True,
}


class QueryTimeoutError(MmlensError):
    """A query ran past its time limit and was interrupted (exit code 1)."""


def open_snapshot(snapshot: Path) -> duckdb.DuckDBPyConnection:
    """The snapshot, read-only, with `SANDBOX_CONFIG` in force; the only analyst connection."""
    if not snapshot.is_file():
        raise UsageError(f"no analyst snapshot at {snapshot.name} yet: run `mmlens run` or `mmlens demo` first")
    try:
        return duckdb.connect(str(snapshot), read_only=True, config=dict(SANDBOX_CONFIG))
    except duckdb.Error as error:
        raise UsageError(f"cannot open {snapshot.name}: {first_line(error)}") from None


def first_line(error: BaseException) -> str:
    """The first line of a DuckDB error, escaped (it can quote the analyst's text)."""
    text = str(error).strip()
    return escape(text.splitlines()[0]) if text else type(error).__name__


def single_statement(con: duckdb.DuckDBPyConnection, query: str):
    """The one statement of `query`; several, none or unparsable text is a usage error."""
    if not query.strip():
        raise UsageError("sql: the query is empty")
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as error:
        raise UsageError(f"sql: {first_line(error)}") from None
    if not statements:
        raise UsageError("sql: the query is empty (only comments or semicolons)")
    if len(statements) > 1:
        raise UsageError(f"sql: one statement per call, got {len(statements)}")
    return statements[0]


def execute_one(
    con: duckdb.DuckDBPyConnection, query: str, time_limit: float = DEFAULT_TIME_LIMIT_SECONDS
) -> tuple[list[str], list[tuple]]:
    """Run exactly one statement within `time_limit` seconds; returns column names and rows."""
    statement = single_statement(con, query)
    timed_out = threading.Event()

    def interrupt() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(time_limit, interrupt)
    timer.daemon = True
    timer.start()
    try:
        relation = con.execute(statement)
        if relation.description is None:
            return [], []
        columns = [d[0] for d in relation.description]
        rows = relation.fetchmany(MAX_ROWS + 1)
    except duckdb.Error as error:
        if timed_out.is_set():
            raise QueryTimeoutError(f"sql: interrupted after the time limit of {time_limit:g} s") from None
        raise UsageError(f"sql: {first_line(error)}") from None
    finally:
        timer.cancel()
    if len(rows) > MAX_ROWS:
        raise UsageError(f"sql: the result has more than {MAX_ROWS} rows; aggregate or add a LIMIT")
    return columns, rows
