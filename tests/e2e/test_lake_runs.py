"""Lake mode end to end: two `mmlens run`s for different accounts, started at the same moment
against the simulator, each in its own home, writing one lake (SQLite catalog, local folder).
Both succeed, and the lake's tables equal, row for row, those of one ordinary run (single-file
DuckDB backend, no lake) of both accounts over the same world."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lake.catalog import Lake
from pipelines.lake.config import parse_lake_settings
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.lake.compare import assert_lake_equals_warehouse

pytestmark = pytest.mark.e2e
TOKEN = "EAAlakeTOKEN0123456789zzQ"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-12", "2026-11-19"


def _env(home: Path, url: str, accounts: str, **extra: str) -> dict[str, str]:
    return {"MMLENS_HOME": str(home), "META_GRAPH_URL": url, "META_ACCESS_TOKEN": TOKEN, "META_AD_ACCOUNT_IDS": accounts, **extra}


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    script = Path(sys.executable).with_name("mmlens")
    return subprocess.Popen([str(script), "run", "--since", SINCE, "--until", UNTIL], env={**base, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_runs_of_different_accounts_at_once_fill_one_lake_like_one_warehouse(tmp_path: Path) -> None:
    world = World(seed=5, size=WorldSize(accounts=2, campaigns_per_account=3, days=12, sends_per_campaign_day=10), today=TODAY)
    first, second = (a.account_id for a in world.accounts)
    lake_env = {"MMLENS_LAKE_CATALOG_URI": f"sqlite:///{tmp_path / 'catalog.db'}",
                "MMLENS_LAKE_WAREHOUSE": str(tmp_path / "lake")}
    with running_simulator(seed=5, world=world, today=TODAY, access_token=TOKEN) as url:
        # The reference run (no lake) goes at the same time: it shares nothing with the other two.
        runs = [_start(_env(tmp_path / f"home-{a}", url, f"act_{a}", **lake_env)) for a in (first, second)]
        runs.append(_start(_env(tmp_path / "reference", url, f"act_{first},act_{second}")))
        outcomes = [run.communicate(timeout=900) for run in runs]
        for run, (_, err) in zip(runs, outcomes, strict=True):
            assert run.returncode == 0, err[-3000:]

    settings = parse_lake_settings(lake_env.get)
    assert settings is not None
    assert_lake_equals_warehouse(settings, tmp_path / "reference" / "warehouse.duckdb")
    accounts = Lake(settings).read("marts.campaign_daily").column("ad_account_id").unique().to_pylist()
    assert sorted(accounts) == sorted([first, second])
