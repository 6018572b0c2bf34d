"""`mmlens lake ingest` and `mmlens lake marts` as an operator runs them: one shard per receiver's
folder and one for the send log, then the export marts, over one lake; bad shards are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings
from pipelines.lake.query import attach_lake
from tests.lake import exports_world as ew


def mmlens(home: Path, *args: str, lake: LakeSettings | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_", "AWS_"))}
    env = {**base, "MMLENS_HOME": str(home)}
    if lake is not None:
        env |= {"MMLENS_LAKE_CATALOG_URI": lake.catalog_uri.get_secret_value(), "MMLENS_LAKE_WAREHOUSE": lake.warehouse}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "lake", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_a_shard_per_folder_then_the_marts(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    home = tmp_path / "home"
    exports = ew.lay_out(home)
    for folder in ("webhooks/a", "webhooks/b", "sends"):
        done = mmlens(home, "ingest", "--folder", folder, lake=sqlite_settings)
        assert done.returncode == 0, done.stderr
    # Receiver a's shard: two days of simulator files and the file with the campaign webhook beside an unknown item.
    assert (home / "lake-shards" / "webhooks-a-1-of-1.duckdb").exists()
    done = mmlens(home, "marts", lake=sqlite_settings)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        "marts.delivery_funnel_daily", "marts.error_codes_daily", "marts.responses_daily"]
    again = mmlens(home, "ingest", "--folder", "webhooks/a", lake=sqlite_settings)
    assert again.stdout.splitlines()[0] == "webhooks: 0 files, 0 lines read, 0 events landed, 0 kept, 0 quarantined"
    assert "raw.webhook_events: 0 rows published (0 commit attempts)" in again.stdout.splitlines()

    reference = duckdb.connect(str(ew.single_file_warehouse(exports, tmp_path / "single.duckdb")), read_only=True)
    con = duckdb.connect()
    attach_lake(con, Lake(sqlite_settings))
    for identifier in ("raw.ingest_manifest", "raw.ingest_quarantine", "marts.delivery_funnel_daily",
                       "marts.error_codes_daily", "marts.responses_daily"):
        expected = reference.sql(f"select * from {identifier} order by all").fetchall()
        assert con.sql(f"select * from {identifier} order by all").fetchall() == expected, identifier


@pytest.mark.parametrize(("args", "lake_on", "message"), [
    (("ingest",), False, "mmlens: lake ingest: lake mode is off (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)"),
    (("marts",), False, "mmlens: lake marts: lake mode is off (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)"),
    (("ingest", "--part", "5/4"), True, "mmlens: shard: part 5 of 4 does not exist"),
    (("ingest", "--part", "half"), True, "mmlens: shard: 'half' is not k/n (e.g. 2/4)"),
])
def test_bad_shards_are_one_line(tmp_path: Path, sqlite_settings: LakeSettings, args: tuple[str, ...], lake_on: bool,
                                 message: str) -> None:
    done = mmlens(tmp_path, *args, lake=sqlite_settings if lake_on else None)
    assert (done.returncode, done.stderr.strip()) == (2, message)
