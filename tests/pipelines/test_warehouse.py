"""Migrations apply once and upgrade in place; the snapshot publishes atomically under readers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from pipelines import warehouse


def test_migrations_apply_once_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with warehouse.connect(path) as con:
        first = [r[0] for r in con.execute("select name from main.schema_migrations order by name").fetchall()]
        assert first == sorted(p.name for p in warehouse.MIGRATIONS_DIR.glob("*.sql"))
        assert warehouse.migrate(con) == []
        tables = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
    assert {"raw.campaign_insights_daily", "raw.webhook_events"} <= tables
    with warehouse.connect(path) as con:
        again = con.execute("select count(*) from main.schema_migrations").fetchone()[0]
    assert again == len(first)


def test_existing_warehouse_upgrades_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse built by an older release keeps its data and gains the new migration."""
    old = tmp_path / "old_migrations"
    old.mkdir()
    for path in sorted(warehouse.MIGRATIONS_DIR.glob("*.sql")):
        (old / path.name).write_text(path.read_text())
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", old)
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        con.execute("insert into raw.ad_accounts values ('1', 'a', 'USD', 100, 'UTC', 1)")
    (old / "999_add_note.sql").write_text("alter table raw.ad_accounts add column note text;")
    with warehouse.connect(db) as con:
        assert con.execute("select ad_account_id, note from raw.ad_accounts").fetchall() == [("1", None)]
        assert con.execute("select count(*) from main.schema_migrations where name = '999_add_note.sql'").fetchone()[0] == 1


def test_failed_migration_rolls_back_and_is_not_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "m"
    broken.mkdir()
    (broken / "001_ok.sql").write_text("create schema if not exists raw; create table raw.t (a int);")
    (broken / "002_bad.sql").write_text("create table raw.u (a int); select * from no_such_table;")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", broken)
    db = tmp_path / "w.duckdb"
    with pytest.raises(duckdb.Error):
        with warehouse.connect(db):
            pass
    con = duckdb.connect(str(db))
    try:
        assert con.execute("select name from main.schema_migrations").fetchall() == [("001_ok.sql",)]
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'u'").fetchone()[0] == 0
    finally:
        con.close()


def test_connection_is_closed_on_error(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(RuntimeError):
        with warehouse.connect(db):
            raise RuntimeError("boom")
    # A second process can open the file for writing only if we released it.
    done = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"], timeout=60)
    assert done.returncode == 0


def test_writer_waits_for_a_lock_held_by_another_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(db)!r})
            print("held", flush=True)
            sys.stdin.readline()  # until the writer has been refused once
            con.close()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    retries = []

    def retry_after(delay: float) -> None:
        """The writer was refused: let the holder go, then wait as the writer would."""
        retries.append(delay)
        if len(retries) == 1:
            holder.stdin.write("go\n")
            holder.stdin.flush()
        time.sleep(delay)

    monkeypatch.setattr(warehouse, "time", SimpleNamespace(monotonic=time.monotonic, sleep=retry_after))
    with warehouse.connect(db) as con:  # retries until the holder lets go, then succeeds
        assert con.execute("select 1").fetchone() == (1,)
    assert retries[0] == 0.05  # it was refused first, and waited the first back-off step
    assert holder.wait(timeout=60) == 0


def test_publish_while_a_reader_holds_the_old_snapshot(tmp_path: Path) -> None:
    """The holder keeps reading consistent old data; the publish neither blocks nor breaks it."""
    db, snap = tmp_path / "w.duckdb", tmp_path / "analytics.duckdb"
    with warehouse.connect(db) as con:
        con.execute("insert into raw.ad_accounts values ('1', 'first', 'USD', 100, 'UTC', 1)")
    warehouse.publish_snapshot(db, snap)

    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(snap)!r}, read_only=True)
            q = "select count(*), min(account_name) from raw.ad_accounts"
            print(con.execute(q).fetchone(), flush=True)
            sys.stdin.readline()          # wait while the publisher replaces the file
            print(con.execute(q).fetchone(), flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert reader.stdout.readline().strip() == "(1, 'first')"

    with warehouse.connect(db) as con:
        con.execute("insert into raw.ad_accounts values ('2', 'second', 'JPY', 1, 'Asia/Tokyo', 1)")
    warehouse.publish_snapshot(db, snap)

    reader.stdin.write("go\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "(1, 'first')"
    assert reader.wait(timeout=30) == 0

    con = duckdb.connect(str(snap), read_only=True)
    try:
        assert con.execute("select count(*) from raw.ad_accounts").fetchone() == (2,)
    finally:
        con.close()
    assert not list((tmp_path / ".snapshot-build").iterdir())


def test_a_reader_never_creates_or_migrates_the_warehouse(tmp_path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with pytest.raises(warehouse.WarehouseMissingError, match="warehouse.duckdb does not exist yet"):
        with warehouse.connect(path, read_only=True):
            pass
    assert not path.exists()
    with warehouse.connect(path):
        pass
    with warehouse.connect(path, read_only=True) as con:
        with pytest.raises(duckdb.InvalidInputException):
            con.execute("create table main.x (a int)")
