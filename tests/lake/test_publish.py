"""A run's windows from its DuckDB warehouse into the lake: two homes of different accounts
publishing at the same moment give lake tables equal, row for row, to one DuckDB warehouse that
holds both accounts; a re-publish changes nothing; DuckDB queries and checks the lake's tables by
their warehouse names and polars reads them directly; the asset does nothing without the lake."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.lake import lake_tables
from pipelines import mart_builds, warehouse
from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings
from pipelines.lake.publish import LAKE_TABLES, publish_run
from pipelines.lake.query import attach_lake
from pipelines.resources import build_resources

SINCE, UNTIL = dt.date(2026, 5, 1), dt.date(2026, 5, 3)
ACCOUNTS = {"1": ("c1", "USD", "40.00", "4.2000"), "2": ("c2", "EUR", "12.50", "0.0000")}


def seed(con: duckdb.DuckDBPyConnection, account: str) -> None:
    """One campaign with insights on three days, pixel purchases on the first, one estimate."""
    campaign, currency, spend, value = ACCOUNTS[account]
    con.execute("insert into raw.ad_accounts values (?, 'Shop', ?, 100, 'Europe/Berlin', 1)", [account, currency])
    con.execute("insert into raw.message_campaigns (message_campaign_id, ad_account_id, campaign_name, page_id, daily_budget) "
                "values (?, ?, 'Spring', 'p' || ?, 25.5)", [campaign, account, account])
    for offset in range(3):
        con.execute("insert into raw.campaign_insights_daily (ad_account_id, message_campaign_id, date, currency, spend, "
                    "delivered, link_clicks, read_rate, delivery_rate) values (?, ?, ?, ?, ?, ?, 5, 50, 90)",
                    [account, campaign, SINCE + dt.timedelta(days=offset), currency, Decimal(spend), 100 + offset])
    con.execute("insert into raw.campaign_actions_daily values (?, ?, ?, 'offsite_conversion.fb_pixel_purchase', 'default', 3, ?)",
                [account, campaign, SINCE, Decimal(value)])
    con.execute("insert into raw.delivery_estimates values (?, ?, 'p' || ?, 25.5, 900, 1200, 30, 50)", [account, SINCE, account])


def build_home(home: Path, accounts: list[str]) -> Path:
    path = home / "warehouse.duckdb"
    with warehouse.connect(path) as con:
        for account in accounts:
            seed(con, account)
        mart_builds.build_campaign_marts(con, SINCE, UNTIL)
        mart_builds.build_estimates(con)
    return path


def duckdb_rows(path: Path, identifier: str) -> list[tuple]:
    with warehouse.connect(path, read_only=True) as con:
        return con.sql(f"select * from {identifier} order by all").fetchall()


def lake_rows(lake: Lake, identifier: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        attach_lake(con, lake)
        return con.sql(f"select * from {identifier} order by all").fetchall()
    finally:
        con.close()


def publish(path: Path, lake: Lake, accounts: tuple[str, ...]) -> None:
    with warehouse.connect(path, read_only=True) as con:
        publish_run(con, lake, accounts, SINCE, UNTIL)


def test_two_homes_publishing_at_once_equal_one_warehouse_of_both(tmp_path: Path, sqlite_settings: LakeSettings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLARS_ICEBERG_PLANNER", "pyiceberg")  # polars' own planner is a package we do not need
    reference = build_home(tmp_path / "both", ["1", "2"])
    homes = {account: build_home(tmp_path / account, [account]) for account in ("1", "2")}
    start, failures = threading.Barrier(2), []

    def run(account: str) -> None:
        try:
            lake = Lake(sqlite_settings)
            start.wait(timeout=60)
            publish(homes[account], lake, (account,))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in ("1", "2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    lake = Lake(sqlite_settings)
    assert lake.tables() == sorted(t.identifier for t in LAKE_TABLES)
    for table in LAKE_TABLES:
        expected = duckdb_rows(reference, table.identifier)
        assert expected, table.identifier
        assert lake_rows(lake, table.identifier) == expected, table.identifier
    # Hand-written: account 1's ROAS on May 1 is 4.20 / 40.00, money still DECIMAL.
    daily = lake_rows(lake, "marts.campaign_daily")
    assert [(r[0], r[4], r[6], r[14]) for r in daily if r[4] == SINCE] == [
        ("1", SINCE, Decimal("40.0000"), Decimal("0.105000")), ("2", SINCE, Decimal("12.5000"), Decimal("0.000000"))]

    # Publishing again changes no row; the grain check's SQL runs over the lake as over the warehouse.
    publish(homes["1"], lake, ("1",))
    assert lake_rows(lake, "marts.campaign_daily") == duckdb_rows(reference, "marts.campaign_daily")
    con = duckdb.connect()
    attach_lake(con, lake)
    grain = con.sql(warehouse.sql_text("queries/mart_check_grain.sql"),
                    params={"mart": "marts.campaign_daily", "grain": ["message_campaign_id", "date"]}).fetchall()
    assert grain == []
    frame = pl.scan_iceberg(lake.catalog.load_table("marts.campaign_daily")).select("ad_account_id", "spend").collect()
    assert frame.schema["spend"] == pl.Decimal(18, 4) and frame.height == 6


def test_a_later_run_restating_one_day_replaces_only_that_window(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    lake = Lake(sqlite_settings)
    home = build_home(tmp_path / "a", ["1"])
    publish(home, lake, ("1",))
    with warehouse.connect(home) as con:
        con.execute("update raw.campaign_insights_daily set spend = 41 where date = ?", [UNTIL])
        mart_builds.build_campaign_marts(con, UNTIL, UNTIL)
        publish_run(con, lake, ("1",), UNTIL, UNTIL)
    spends = [(r[4], r[6]) for r in lake_rows(lake, "marts.campaign_daily")]
    assert spends == [(SINCE, Decimal("40.0000")), (SINCE + dt.timedelta(days=1), Decimal("40.0000")), (UNTIL, Decimal("41.0000"))]


RANGE = {"dagster/asset_partition_range_start": SINCE.isoformat(), "dagster/asset_partition_range_end": UNTIL.isoformat()}


def test_the_asset_publishes_the_configured_accounts_in_lake_mode(tmp_path: Path, sqlite_settings: LakeSettings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    reference = build_home(home, ["1", "2"])
    monkeypatch.setenv("MMLENS_LAKE_CATALOG_URI", sqlite_settings.catalog_uri.get_secret_value())
    monkeypatch.setenv("MMLENS_LAKE_WAREHOUSE", sqlite_settings.warehouse)
    monkeypatch.setenv("META_AD_ACCOUNT_IDS", "act_2")
    result = dg.materialize([lake_tables], resources=build_resources(home=str(home)), tags=RANGE)
    assert result.success
    metadata = result.asset_materializations_for_node("lake_tables")[0].metadata
    assert metadata["lake"].value == "on" and metadata["window"].value == "2026-05-01..2026-05-03"
    lake = Lake(sqlite_settings)
    assert {r[0] for r in lake_rows(lake, "marts.campaign_daily")} == {"2"}
    assert lake_rows(lake, "raw.ad_accounts") == [r for r in duckdb_rows(reference, "raw.ad_accounts") if r[0] == "2"]


def test_the_asset_does_nothing_without_the_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MMLENS_LAKE_CATALOG_URI", "MMLENS_LAKE_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    result = dg.materialize([lake_tables], resources=build_resources(home=str(home)), tags=RANGE)
    assert result.success
    assert result.asset_materializations_for_node("lake_tables")[0].metadata["lake"].value == "off"
    assert not (home / "warehouse.duckdb").exists()


def test_a_run_killed_while_publishing_leaves_each_table_whole(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    """Killed while the commit of marts.campaign_daily waits: the raw tables published before it hold
    the new rows, that mart and the ones after it are exactly as before; the next run completes it."""
    lake = Lake(sqlite_settings)
    home = build_home(tmp_path / "a", ["1"])
    publish(home, lake, ("1",))
    before = {t.identifier: (lake.snapshot_id(t.identifier), lake_rows(lake, t.identifier)) for t in LAKE_TABLES}
    with warehouse.connect(home) as con:
        con.execute("update raw.campaign_insights_daily set spend = 41")
        mart_builds.build_campaign_marts(con, SINCE, UNTIL)
    args = [str(home), sqlite_settings.catalog_uri.get_secret_value(), sqlite_settings.warehouse, "1",
            SINCE.isoformat(), UNTIL.isoformat(), "marts.campaign_daily"]
    root = Path(__file__).resolve().parents[2]
    run = subprocess.Popen([sys.executable, "-m", "tests.lake.publish_process", *args], cwd=root, text=True,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stdout.readline() == "written\n", run.stderr
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    spends = {r[4] for r in lake_rows(lake, "raw.campaign_insights_daily")}
    assert spends == {Decimal("41.0000")}
    for identifier in ("marts.campaign_daily", "marts.conversions_daily", "marts.delivery_estimates"):
        assert (lake.snapshot_id(identifier), lake_rows(lake, identifier)) == before[identifier], identifier
    publish(home, lake, ("1",))
    assert {r[6] for r in lake_rows(lake, "marts.campaign_daily")} == {Decimal("41.0000")}
