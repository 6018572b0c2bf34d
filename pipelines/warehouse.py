"""Warehouse access in one place: open, migrate, run SQL files, publish the analyst snapshot.

The pipeline is the single writer of `warehouse.duckdb`. Analysts read `analytics.duckdb`, a copy
published atomically after each successful run: it is written next to the target and renamed over
it, so a reader that holds the old file open keeps reading the old, consistent copy and never
blocks the publish.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import duckdb

from pipelines.errors import MmlensError

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
VIEWS_DIR = SQL_DIR / "views"

LOCK_WAIT_SECONDS = 60.0


class WarehouseLockedError(RuntimeError):
    """Another process held the warehouse for longer than we were willing to wait."""


class WarehouseMissingError(MmlensError):
    """A reader asked for a warehouse that no writer has created yet."""


@cache
def sql_text(name: str) -> str:
    """The text of `sql/<name>` (for example 'queries/delete_insights_window.sql')."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def open_duckdb(path: Path, *, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, waiting and retrying while another process holds its lock.

    A read-only open never creates the file: a missing warehouse is a one-line error."""
    if read_only and not path.exists():
        raise WarehouseMissingError(f"{path.name} does not exist yet: materialize the raw assets and marts first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if not _is_lock_error(error) or time.monotonic() >= deadline:
                if _is_lock_error(error):
                    raise WarehouseLockedError(f"{path.name} is locked by another process") from None
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, also on error. Writers get migrations applied;
    readers (`read_only=True`) run none and take DuckDB's shared lock."""
    con = open_duckdb(path, read_only=read_only)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every `sql/migrations/NNN_*.sql` not yet recorded, each in its own transaction.

    Returns the names applied now. An existing warehouse upgrades in place.
    """
    con.execute(sql_text("queries/create_migrations_table.sql"))
    done = {row[0] for row in con.execute("select name from main.schema_migrations").fetchall()}
    applied = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(sql_text("queries/record_migration.sql"), [path.name])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(path.name)
    return applied


def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create the analyst views in `sql/views/`, in file-name order."""
    names = []
    for path in sorted(VIEWS_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
        names.append(path.stem)
    return names


SNAPSHOT_MODE = 0o640
_BUILD_DIR = ".snapshot-build"


# Tables holding personal identifiers or raw text, copied through their own statement when the
# snapshot is pseudonymised (True: the statement takes the key); every other table as it is.
PSEUDONYMISED_COPIES = {
    ("raw", "webhook_events"): ("queries/snapshot_copy_webhook_events.sql", True),
    ("raw", "send_attempts"): ("queries/snapshot_copy_send_attempts.sql", True),
    ("raw", "messenger_events"): ("queries/snapshot_copy_messenger_events.sql", True),
    ("raw", "ingest_quarantine"): ("queries/snapshot_copy_ingest_quarantine.sql", False),
}


def publish_snapshot(warehouse: Path, snapshot: Path, pseudonym_key: str | None = None) -> Path:
    """Copy the warehouse to `snapshot` atomically (write a sibling file, then rename over).

    With `pseudonym_key`, PSIDs and subscription tokens are replaced by keyed hashes that still join
    and raw text is left out (`PSEUDONYMISED_COPIES`); the clear values are never written to the
    snapshot file, not even to blocks freed later. Without it, everything is copied as it is.

    The copy is written inside a folder only the owner can enter and made readable by owner and
    group (`SNAPSHOT_MODE`) before it is renamed into place, so it is never readable by others,
    not even while it is being written.
    """
    build = snapshot.parent / _BUILD_DIR
    build.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(build, 0o700)
    tmp = build / f"{snapshot.name}.{os.getpid()}.tmp"
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with connect(warehouse) as con:
        apply_views(con)
        con.execute("checkpoint")
        con.execute("attach ? as analyst_snapshot", [str(tmp)])
        try:
            if pseudonym_key is None:
                con.execute(f"copy from database {_catalog(con)} to analyst_snapshot")
            else:
                _copy_pseudonymised(con, pseudonym_key)
        finally:
            con.execute("detach analyst_snapshot")
    os.chmod(tmp, SNAPSHOT_MODE)
    os.replace(tmp, snapshot)
    return snapshot


def _copy_pseudonymised(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.execute(f"copy from database {_catalog(con)} to analyst_snapshot (schema)")
    con.execute(sql_text("queries/snapshot_pseudonym_macro.sql"))
    for schema, table in con.execute(sql_text("queries/snapshot_tables.sql")).fetchall():
        if (schema, table) in PSEUDONYMISED_COPIES:
            name, keyed = PSEUDONYMISED_COPIES[schema, table]
            con.execute(sql_text(name), {"key": key} if keyed else None)
        else:
            # Names from DuckDB's own catalog, quoted; the snapshot has the same tables and columns.
            name = f"{_quoted(schema)}.{_quoted(table)}"
            con.execute(f"insert into analyst_snapshot.{name} select * from {_catalog(con)}.{name}")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    # The catalog name is DuckDB's own identifier for the open file, not user input.
    row = con.execute("select current_database()").fetchone()
    assert row is not None  # the query always returns one row
    (name,) = row
    return _quoted(name)
