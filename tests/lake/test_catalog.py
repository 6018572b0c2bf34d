"""Window replacement in a SQLite catalog over a local folder: idempotent, DECIMAL kept, a window
never takes rows outside it, commit conflicts retried, concurrent writers of different accounts
both land, and a writer killed between its data files and its commit changes nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.lake.catalog import Lake, Window, WindowError
from pipelines.lake.config import LakeSettings
from tests.lake.rows import daily_rows

ROOT = Path(__file__).resolve().parents[2]
NOV = [dt.date(2026, 11, d) for d in range(1, 32) if d <= 30]


def rows_of(lake: Lake, identifier: str = "raw.daily") -> list[tuple]:
    table = lake.read(identifier)
    return sorted((r["ad_account_id"], r["date"], r["spend"], r["delivered"]) for r in table.to_pylist())


def test_replacing_a_window_twice_gives_the_same_table_and_keeps_decimals(lake: Lake) -> None:
    day = NOV[9]
    window = Window(("1",), "date", since=day, until=day)
    lake.replace("raw.daily", daily_rows("1", day, "12.3456", 7), window)
    lake.replace("raw.daily", daily_rows("1", day, "12.3456", 7), window)
    assert rows_of(lake) == [("1", day, Decimal("12.3456"), 7)]
    field = lake.catalog.load_table("raw.daily").schema().find_field("spend")
    assert str(field.field_type) == "decimal(18, 4)"


def test_a_window_replaces_only_its_own_account_and_days(lake: Lake) -> None:
    for account in ("1", "2"):
        for day in NOV[:3]:
            lake.replace("raw.daily", daily_rows(account, day, "1.0000", 1), Window((account,), "date", since=day, until=day))
    restated = pa.concat_tables([daily_rows("1", NOV[1], "9.5000", 9), daily_rows("1", NOV[2], "8.5000", 8)])
    lake.replace("raw.daily", restated, Window(("1",), "date", since=NOV[1], until=NOV[2]))
    assert rows_of(lake) == [
        ("1", NOV[0], Decimal("1.0000"), 1), ("1", NOV[1], Decimal("9.5000"), 9), ("1", NOV[2], Decimal("8.5000"), 8),
        ("2", NOV[0], Decimal("1.0000"), 1), ("2", NOV[1], Decimal("1.0000"), 1), ("2", NOV[2], Decimal("1.0000"), 1),
    ]


def test_an_empty_window_deletes_what_it_covers(lake: Lake) -> None:
    lake.replace("raw.daily", daily_rows("1", NOV[0], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    empty = daily_rows("1", NOV[0], "1.0000", 1).slice(0, 0)
    lake.replace("raw.daily", empty, Window(("1",), "date", since=NOV[0], until=NOV[5]))
    assert rows_of(lake) == []


@pytest.mark.parametrize(("rows", "window"), [
    (daily_rows("2", NOV[0], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[0])),
    (daily_rows("1", NOV[4], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[3])),
    (daily_rows("1", NOV[4], "1.0000", 1), Window(("1",), "date", dates=(NOV[3],))),
])
def test_rows_outside_the_window_are_refused_before_anything_is_written(lake: Lake, rows: pa.Table, window: Window) -> None:
    """Rows outside the window would survive the next replacement of it: not idempotent."""
    with pytest.raises(WindowError, match="1 of 1 rows lie outside"):
        lake.replace("raw.daily", rows, window)
    assert not lake.catalog.table_exists("raw.daily")


def test_a_commit_that_loses_the_race_lands_on_the_newer_snapshot(sqlite_settings: LakeSettings) -> None:
    """Writer A loads the table, B commits another account, then A commits: the catalog refuses A's
    stale commit and A's overwrite is re-applied on top of B's snapshot, so both windows are kept."""
    first, second = Lake(sqlite_settings), Lake(sqlite_settings)
    first.replace("raw.daily", daily_rows("1", NOV[0], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    stale = first.catalog.load_table("raw.daily")
    second.replace("raw.daily", daily_rows("2", NOV[0], "2.0000", 2), Window(("2",), "date", since=NOV[0], until=NOV[0]))
    after_second = second.snapshot_id("raw.daily")
    first.ensure_table = lambda identifier, schema: stale  # type: ignore[method-assign]
    first.replace("raw.daily", daily_rows("1", NOV[0], "3.0000", 3), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    history = [s.snapshot_id for s in first.catalog.load_table("raw.daily").snapshots()]
    assert after_second in history[:-1]
    assert rows_of(second) == [("1", NOV[0], Decimal("3.0000"), 3), ("2", NOV[0], Decimal("2.0000"), 2)]


def test_two_writers_of_the_same_window_leave_one_whole_window(sqlite_settings: LakeSettings) -> None:
    """B replaces account 1's days while A, holding the older snapshot, replaces the same days: A's
    overwrite conflicts and is redone from the start on B's snapshot, so the table holds A's window
    whole (the last writer wins), never a mix of both nor both rows."""
    first, second = Lake(sqlite_settings), Lake(sqlite_settings)
    window = Window(("1",), "date", since=NOV[0], until=NOV[1])
    first.replace("raw.daily", pa.concat_tables([daily_rows("1", NOV[0], "1.0000", 1), daily_rows("1", NOV[1], "1.0000", 1)]), window)
    stale = first.catalog.load_table("raw.daily")
    second.replace("raw.daily", daily_rows("1", NOV[0], "2.0000", 2), window)
    first.ensure_table = lambda identifier, schema: stale  # type: ignore[method-assign]
    attempts = first.replace("raw.daily", daily_rows("1", NOV[1], "3.0000", 3), window)
    assert attempts == 2
    assert rows_of(second) == [("1", NOV[1], Decimal("3.0000"), 3)]


def _writer(settings: LakeSettings, account: str, days: int, *flags: str) -> subprocess.Popen[str]:
    args = [settings.catalog_uri.get_secret_value(), settings.warehouse, account, NOV[0].isoformat(), str(days), *flags]
    return subprocess.Popen([sys.executable, "-m", "tests.lake.writer_process", *args], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _started_together(writers: list[subprocess.Popen[str]]) -> None:
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n", writer.stderr
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()


def test_writers_of_different_accounts_started_together_both_land(lake: Lake, sqlite_settings: LakeSettings) -> None:
    lake.replace("raw.daily", daily_rows("1", NOV[0], "0.0000", 0), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    writers = [_writer(sqlite_settings, account, 4) for account in ("1", "2")]
    _started_together(writers)
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        assert len(out.splitlines()) == 4
    expected = [(account, NOV[i], Decimal(f"{i + 1}.2500"), 100 + i) for account in ("1", "2") for i in range(4)]
    assert rows_of(lake) == expected


def test_a_writer_killed_between_its_data_files_and_its_commit_changes_nothing(lake: Lake, sqlite_settings: LakeSettings) -> None:
    lake.replace("raw.daily", daily_rows("1", NOV[0], "5.0000", 5), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    before_snapshot = lake.snapshot_id("raw.daily")
    data = Path(sqlite_settings.warehouse) / "raw" / "daily" / "data"
    files_before = set(data.rglob("*.parquet"))
    writer = _writer(sqlite_settings, "1", 1, "--hang-before-commit")
    _started_together([writer])
    assert writer.stdout is not None and writer.stdout.readline() == "written\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    assert set(data.rglob("*.parquet")) - files_before, "the writer had written its new data file"
    assert lake.snapshot_id("raw.daily") == before_snapshot
    assert rows_of(lake) == [("1", NOV[0], Decimal("5.0000"), 5)]


def test_a_table_created_by_another_writer_meanwhile_is_used_not_an_error(sqlite_settings: LakeSettings) -> None:
    """Two writers of a new lake both find the table missing; the one that creates it second must
    take the other's table (the PostgreSQL test first found this as a failed run)."""
    first, second = Lake(sqlite_settings), Lake(sqlite_settings)
    second.replace("raw.daily", daily_rows("2", NOV[0], "2.0000", 2), Window(("2",), "date", since=NOV[0], until=NOV[0]))
    first.catalog.table_exists = lambda identifier: False  # type: ignore[method-assign]
    first.replace("raw.daily", daily_rows("1", NOV[0], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    assert rows_of(second) == [("1", NOV[0], Decimal("1.0000"), 1), ("2", NOV[0], Decimal("2.0000"), 2)]


def test_a_column_the_warehouse_gained_is_added_to_the_lake_table(lake: Lake) -> None:
    """A migration adds a column to a warehouse table: the next write adds it to the lake's table,
    whose older rows read NULL in it."""
    lake.replace("raw.daily", daily_rows("1", NOV[0], "1.0000", 1), Window(("1",), "date", since=NOV[0], until=NOV[0]))
    wider = daily_rows("2", NOV[0], "2.0000", 2).append_column("currency", pa.array(["EUR"]))
    lake.replace("raw.daily", wider, Window(("2",), "date", since=NOV[0], until=NOV[0]))
    rows = sorted((r["ad_account_id"], r["currency"]) for r in lake.read("raw.daily").to_pylist())
    assert rows == [("1", None), ("2", "EUR")]
