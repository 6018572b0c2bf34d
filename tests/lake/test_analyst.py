"""`mmlens sql` in lake mode: the lake's tables and the analyst views, no snapshot copy, inside the
same sandbox; views whose tables the lake lacks are named on stderr; tables holding personal
identifiers are never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipelines.errors import UsageError
from pipelines.lake.analyst import open_lake
from pipelines.lake.catalog import Lake, Window
from pipelines.lake.config import LakeSettings
from tests.lake.test_publish import build_home, publish

NOTICE = "lake mode: views not available, their tables are not in the lake yet: errors_by_category, funnel_rates"


@pytest.fixture
def filled(tmp_path: Path, sqlite_settings: LakeSettings) -> LakeSettings:
    """Both accounts of tests/lake/test_publish.py published, and a webhook events table beside them."""
    lake = Lake(sqlite_settings)
    publish(build_home(tmp_path / "home", ["1", "2"]), lake, ("1", "2"))
    psids = pa.table({"ad_account_id": ["1"], "recipient_id": ["24000000000000001"]})
    lake.replace("raw.webhook_events", psids, Window(("1",)))
    return sqlite_settings


def test_views_over_the_lake_give_ratios_of_sums(filled: LakeSettings) -> None:
    opened = open_lake(filled)
    try:
        assert opened.unavailable == ["errors_by_category", "funnel_rates"]
        assert "raw.webhook_events" not in opened.tables and "marts.campaign_daily" in opened.tables
        rows = opened.con.sql("select ad_account_id, days, spend, delivered, purchase_value, roas "
                              "from campaign_performance order by 1").fetchall()
        # Hand-written from the seed: three days of 40.00 (account 1) and 12.50 (account 2), 100 + 101 + 102
        # delivered, one purchase day worth 4.20 and 0: ROAS 4.20 / 120.00 and 0 / 37.50.
        assert [(r[0], r[1], str(r[2]), r[3], str(r[4]), str(r[5])) for r in rows] == [
            ("1", 3, "120.0000", 303, "4.2000", "0.035000"),
            ("2", 3, "37.5000", 303, "0.0000", "0.000000"),
        ]
        with pytest.raises(duckdb.CatalogException):
            opened.con.sql("select * from raw.webhook_events")
    finally:
        opened.con.close()


@pytest.mark.parametrize("statement", [
    "select * from read_csv('/etc/passwd')",
    "set threads = 8",
    "attach '/tmp/other.duckdb' as other",
])
def test_the_lake_connection_keeps_the_sandbox(filled: LakeSettings, statement: str) -> None:
    opened = open_lake(filled)
    try:
        with pytest.raises(duckdb.Error):
            opened.con.execute(statement)
    finally:
        opened.con.close()


def test_python_objects_of_the_calling_code_are_not_tables(filled: LakeSettings) -> None:
    """DuckDB's Python client answers an unknown table name with a variable of that name from the
    calling code (a replacement scan) unless external access is off, as in the sandbox."""
    opened = open_lake(filled)
    visible_to_a_replacement_scan = pa.table({"token": ["EAAnot-for-analysts"]})
    try:
        assert visible_to_a_replacement_scan.num_rows == 1
        with pytest.raises(duckdb.CatalogException):
            opened.con.execute("select * from visible_to_a_replacement_scan")
    finally:
        opened.con.close()


def _mmlens_sql(home: Path, settings: LakeSettings, *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    env = {**base, "MMLENS_HOME": str(home), "MMLENS_LAKE_CATALOG_URI": settings.catalog_uri.get_secret_value(),
           "MMLENS_LAKE_WAREHOUSE": settings.warehouse}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "sql", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_mmlens_sql_reads_the_lake_without_a_snapshot(tmp_path: Path, filled: LakeSettings) -> None:
    home = tmp_path / "analyst"  # a home with no warehouse and no snapshot
    done = _mmlens_sql(home, filled, "select ad_account_id, week_start, roas from weekly_roas order by 1", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"ad_account_id": "1", "week_start": "2026-04-27", "roas": "0.035000"},
        {"ad_account_id": "2", "week_start": "2026-04-27", "roas": "0.000000"},
    ]
    assert done.stderr.strip() == NOTICE
    assert not (home / "analytics.duckdb").exists()


def test_a_query_on_a_view_the_lake_cannot_show_is_one_line(tmp_path: Path, filled: LakeSettings) -> None:
    done = _mmlens_sql(tmp_path / "analyst", filled, "select * from funnel_rates")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == NOTICE
    assert len(lines) == 2 and lines[1].startswith("mmlens: sql: Catalog Error: Table with name funnel_rates does not exist")


def test_without_the_lake_the_missing_snapshot_is_still_the_error(tmp_path: Path) -> None:
    from pipelines.analyst_sql import open_analyst

    with pytest.raises(UsageError, match="no analyst snapshot at analytics.duckdb yet"):
        open_analyst(tmp_path / "analytics.duckdb", None)
