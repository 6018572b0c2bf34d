"""Lake mode end to end: `mmlens backfill` of three accounts × eight days against the simulator, two
runs at a time through Dagster's run queue, fills the lake with what one ordinary `mmlens run` of
the same accounts (single-file DuckDB backend, no lake) lands, row for row; one run per account,
each recorded in the backfill's Dagster instance."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.accounts import LAKE_WINDOWS
from pipelines.lake.config import parse_lake_settings
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.lake.compare import assert_lake_equals_warehouse

pytestmark = pytest.mark.e2e
TOKEN = "EAAbackfillTOKEN0123456789zz"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-12", "2026-11-19"


def _mmlens(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    script = Path(sys.executable).with_name("mmlens")
    return subprocess.Popen([str(script), *args], env={**base, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_backfill_of_accounts_in_parallel_runs_fills_the_lake_like_one_single_file_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(seed=11, size=WorldSize(accounts=3, campaigns_per_account=3, days=12, sends_per_campaign_day=10),
                  today=TODAY)
    accounts = [a.account_id for a in world.accounts]
    lake_env = {"MMLENS_LAKE_CATALOG_URI": f"sqlite:///{tmp_path / 'catalog.db'}",
                "MMLENS_LAKE_WAREHOUSE": str(tmp_path / "lake")}
    ids = ",".join(f"act_{a}" for a in accounts)
    with running_simulator(seed=11, world=world, today=TODAY, access_token=TOKEN) as url:
        common = {"META_GRAPH_URL": url, "META_ACCESS_TOKEN": TOKEN, "META_AD_ACCOUNT_IDS": ids}
        backfill = _mmlens(["backfill", "--since", SINCE, "--until", UNTIL, "--parallel", "2"],
                           {**common, **lake_env, "MMLENS_HOME": str(tmp_path / "lake-home")})
        reference = _mmlens(["run", "--since", SINCE, "--until", UNTIL], {**common, "MMLENS_HOME": str(tmp_path / "reference")})
        outcomes = [p.communicate(timeout=900) for p in (backfill, reference)]
    for process, (_, err) in zip((backfill, reference), outcomes, strict=True):
        assert process.returncode == 0, err[-3000:]
    assert "3 run(s) succeeded" in outcomes[0][0]

    settings = parse_lake_settings(lake_env.get)
    assert settings is not None
    assert_lake_equals_warehouse(settings, tmp_path / "reference" / "warehouse.duckdb")

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "lake-home" / "dagster-backfill"))
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="account_job"))
        assert sorted(r.tags["mmlens/ad_account"] for r in runs) == sorted(accounts)
        assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert {(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
                for r in runs} == {(f"{a}|{SINCE}", f"{a}|{UNTIL}") for a in accounts}
        assert sorted(instance.get_dynamic_partitions("ad_account")) == sorted(accounts)
        days = [f"2026-11-{d}" for d in range(12, 20)]
        assert instance.get_materialized_partitions(LAKE_WINDOWS) == {
            dg.MultiPartitionKey({"ad_account": a, "date": d}) for a in accounts for d in days
        }
    assert not list((tmp_path / "lake-home" / "scratch").iterdir())
