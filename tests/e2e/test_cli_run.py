"""`mmlens run` through the CLI against the simulator: the whole pipeline lands, the canary token is
nowhere, credential problems are one line with exit code 2, and an analyst holding the snapshot
open never blocks a run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.e2e.helpers import files_containing, mmlens

CANARY = "EAAcanaryTOKEN0123456789zzQ"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-10", "2026-11-19"


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=11, size=WorldSize(accounts=2, campaigns_per_account=3, days=20, sends_per_campaign_day=20), today=TODAY)


@pytest.fixture(scope="module")
def simulator(world: World):
    forbidden = frozenset({world.accounts[1].account_id})
    with running_simulator(seed=11, world=world, today=TODAY, access_token=CANARY, forbidden_accounts=forbidden) as url:
        yield url


def env_for(home: Path, url: str, accounts: str, token: str = CANARY) -> dict[str, str]:
    return {"MMLENS_HOME": str(home), "META_GRAPH_URL": url, "META_ACCESS_TOKEN": token,
            "META_AD_ACCOUNT_IDS": accounts}


def test_run_lands_everything_and_the_token_is_nowhere(tmp_path: Path, simulator: str, world: World) -> None:
    home = tmp_path / "home"
    account = world.accounts[0].account_id
    done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env_for(home, simulator, f"act_{account}"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (home / "reports" / f"{UNTIL}.html").is_file()
    assert "report:" in done.stdout and "latest.html" in done.stdout

    con = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        days = con.execute("select count(distinct date) from marts.campaign_daily").fetchone()[0]
        spend = con.execute("select sum(spend) from marts.campaign_daily").fetchone()[0]
    finally:
        con.close()
    assert days == 10
    expected = sum(
        (d.spend for c in world.campaigns(account)
         for day in (dt.date(2026, 11, 10) + dt.timedelta(days=i) for i in range(10))
         if (d := world.campaign_day(c.message_campaign_id, day)) is not None),
        start=0,
    )
    assert spend == expected

    # The run is recorded, successful, in DAGSTER_HOME under MMLENS_HOME.
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    runs = instance.get_runs()
    assert [run.job_name for run in runs] == ["daily_job"]
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS
    assert runs[0].tags["dagster/asset_partition_range_end"] == UNTIL
    # The canary token appears in no file (warehouse, snapshot, reports, Dagster storage and logs)
    # and in nothing printed.
    assert files_containing(home, CANARY.encode()) == []
    assert CANARY not in done.stdout + done.stderr


def test_analyst_holding_the_snapshot_never_blocks_a_run(tmp_path: Path, simulator: str, world: World) -> None:
    home = tmp_path / "home"
    env = env_for(home, simulator, world.accounts[0].account_id)
    assert mmlens("run", "--since", SINCE, "--until", "2026-11-12", env=env).returncode == 0
    analyst = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        before = analyst.execute("select count(*) from marts.campaign_daily").fetchone()[0]
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert analyst.execute("select count(*) from marts.campaign_daily").fetchone()[0] == before
    finally:
        analyst.close()
    fresh = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        assert fresh.execute("select count(*) from marts.campaign_daily").fetchone()[0] > before
    finally:
        fresh.close()


def test_a_date_preset_run_ends_with_its_report(tmp_path: Path, simulator: str, world: World) -> None:
    """Through the CLI; the preset's dates in each account's time zone are checked on an injected
    clock in tests/pipelines/test_run_range.py."""
    home = tmp_path / "home"
    done = mmlens("run", "--date-preset", "last_3d", env=env_for(home, simulator, world.accounts[0].account_id))
    assert done.returncode == 0, done.stderr[-3000:]
    assert list((home / "reports").glob("20*.html"))


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_token", "code 190"),
        ("unknown_account", "act_999999999"),
        ("no_permission", "code 200"),
    ],
)
def test_credential_problems_are_one_line_exit_2_and_write_nothing(
    tmp_path: Path, simulator: str, world: World, case: str, expected: str
) -> None:
    home = tmp_path / "home"
    accounts, token = world.accounts[0].account_id, CANARY
    if case == "wrong_token":
        token = "EAAwrongTOKEN"
    elif case == "unknown_account":
        accounts = f"{accounts},act_999999999"
    else:
        accounts = f"{accounts},{world.accounts[1].account_id}"
    done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env_for(home, simulator, accounts, token))
    assert done.returncode == 2, done.stderr[-3000:]
    mmlens_lines = [line for line in done.stderr.splitlines() if line.startswith("mmlens:")]
    assert len(mmlens_lines) == 1 and expected in mmlens_lines[0]
    assert "Traceback" not in done.stderr
    assert token not in done.stderr + done.stdout
    # No report: only the record of the failed run, which the next report's header shows.
    assert [p.name for p in (home / "reports").iterdir()] == ["last_failure.json"]
    failure = json.loads((home / "reports" / "last_failure.json").read_text())
    assert failure["job"] == "daily_job" and expected in failure["message"] and token not in failure["message"]
    if (home / "warehouse.duckdb").exists():
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        try:
            assert con.execute("select count(*) from raw.campaign_insights_daily").fetchone()[0] == 0
        finally:
            con.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2026-11-10"), "give --since and --until"),
        (("--since", "2026-13-01", "--until", "2026-11-19"), "--since: '2026-13-01' is not a date"),
        (("--since", "2026-11-19", "--until", "2026-11-10"), "is after --until"),
        (("--date-preset", "lifetime"), "--date-preset: 'lifetime' is not one of"),
    ],
)
def test_bad_run_arguments(tmp_path: Path, simulator: str, world: World, args: tuple[str, ...], message: str) -> None:
    done = mmlens("run", *args, env=env_for(tmp_path / "home", simulator, world.accounts[0].account_id))
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_graph_url_that_takes_no_connection_fails_the_run_at_once(tmp_path: Path) -> None:
    """No step retry for a refused connection: the run ends after the client's own few attempts
    (a step retry would wait 120 s and more; the ceiling below is well under that)."""
    import socket

    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env_for(tmp_path / "home", url, "act_1001"),
                      timeout=110)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mmlens: act_1001: cannot connect to the Graph API at {url} (")
