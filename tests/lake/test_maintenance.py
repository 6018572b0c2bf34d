"""`mmlens lake maintain`: old snapshots expired (the current one and the newest kept), files no
snapshot reads deleted once older than the grace period, the rows read unchanged."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.lake.catalog import Lake, Window
from pipelines.lake.config import LakeSettings
from pipelines.lake.maintenance import maintain
from tests.lake.rows import daily_rows

DAY = dt.date(2026, 5, 1)


def _files(root: Path, suffix: str) -> list[Path]:
    return sorted(p for p in root.rglob(f"*{suffix}") if p.is_file())


def _three_windows_of_one_and_one_of_two(lake: Lake) -> None:
    for spend in ("1.00", "2.00", "3.00"):
        lake.replace("marts.t", daily_rows("1", DAY, spend, 5), Window(("1",)))
    lake.replace("marts.t", daily_rows("2", DAY, "9.00", 7), Window(("2",)))


def _rows(lake: Lake) -> list[tuple]:
    return sorted((r["ad_account_id"], r["spend"], r["delivered"]) for r in lake.read("marts.t").to_pylist())


def test_old_snapshots_and_the_files_only_they_read_go(lake: Lake, sqlite_settings: LakeSettings) -> None:
    _three_windows_of_one_and_one_of_two(lake)
    data = Path(sqlite_settings.warehouse) / "marts" / "t" / "data"
    # Each replacement of account 1's window wrote one file: three for account 1, one for account 2.
    assert len(_files(data, ".parquet")) == 4
    # A first write is one append; a replacement of rows is a delete then an append.
    assert len(lake.catalog.load_table("marts.t").snapshots()) == 6
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)

    [done] = maintain(lake, later, keep_days=7)
    assert (done.identifier, done.snapshots_expired, done.snapshots_kept) == ("marts.t", 5, 1)
    assert [p.parent.name for p in _files(data, ".parquet")] == ["ad_account_id=1", "ad_account_id=2"]
    assert _rows(lake) == [("1", Decimal("3.0000"), 5), ("2", Decimal("9.0000"), 7)]
    # Nothing left to do the second time.
    [again] = maintain(lake, later, keep_days=7)
    assert (again.snapshots_expired, again.files_deleted, again.bytes_deleted) == (0, 0, 0)


def test_young_snapshots_and_young_strays_stay(lake: Lake, sqlite_settings: LakeSettings) -> None:
    _three_windows_of_one_and_one_of_two(lake)
    data = Path(sqlite_settings.warehouse) / "marts" / "t" / "data"
    stray = data / "ad_account_id=1" / "written-by-a-writer-not-committed-yet.parquet"
    stray.write_bytes(b"PAR1")
    now = dt.datetime.now(dt.timezone.utc)

    [done] = maintain(lake, now, keep_days=7)
    assert (done.snapshots_expired, done.snapshots_kept, done.files_deleted) == (0, 6, 0)
    assert stray.exists()

    # Two days on, past the day of grace: the stray goes, and so do the expired snapshots' files;
    # the newest two snapshots are kept, so the second-newest data of account 1 can still be read.
    [done] = maintain(lake, now + dt.timedelta(days=8), keep_days=7, keep_last=2)
    assert (done.snapshots_expired, done.snapshots_kept) == (4, 2)
    assert not stray.exists()
    table = lake.catalog.load_table("marts.t")
    older = sorted(table.snapshots(), key=lambda s: s.timestamp_ms)[0]
    assert sorted(r["spend"] for r in table.scan(snapshot_id=older.snapshot_id).to_arrow().to_pylist()) == [Decimal("3.0000")]
    assert _rows(lake) == [("1", Decimal("3.0000"), 5), ("2", Decimal("9.0000"), 7)]


def test_the_command_without_lake_mode_is_one_line(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "lake", "maintain"], capture_output=True, text=True,
                          env={**base, "MMLENS_HOME": str(tmp_path)}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("mmlens: lake maintain: lake mode is off "
                                   "(set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--keep-last", "0", "mmlens: --keep-last: 0 is out of range (1 to 1000000)"),
    ("--grace-hours", "0", "mmlens: --grace-hours: 0 is out of range (1 to 8760)"),
    ("--keep-days", "a week", "mmlens: --keep-days: 'a week' is not a whole number (ASCII digits 0-9 only)"),
])
def test_bad_options_are_one_line(tmp_path: Path, option: str, value: str, message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "lake", "maintain", option, value],
                          capture_output=True, text=True, env={**os.environ, "MMLENS_HOME": str(tmp_path)}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == message
