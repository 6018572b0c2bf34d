"""Dagster's storage in PostgreSQL: `mmlens run` against the simulator with the storage section of
`deploy/dagster.yaml` in its home's dagster.yaml records the run in a real PostgreSQL (Debian's,
on loopback), where any other machine's instance reads it back; the password is read from the
environment and written nowhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml
from dagster._serdes import serialize_value

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.deploy.services import DEPLOY_CONFIG, fresh_database, storage_env
from tests.e2e.helpers import files_containing, mmlens
from tests.lake.services import PG_PASSWORD

pytestmark = pytest.mark.lake_services
TOKEN = "EAAdeployTOKEN0123456789zz"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-15", "2026-11-19"


def storage_only_config() -> str:
    """The storage section of deploy/dagster.yaml, as a one-machine user would copy it."""
    storage = yaml.safe_load(DEPLOY_CONFIG.read_text(encoding="utf-8"))["storage"]
    return yaml.safe_dump({"storage": storage})


def test_a_cli_run_is_recorded_in_postgresql_and_the_password_is_nowhere(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(seed=3, size=WorldSize(accounts=1, campaigns_per_account=2, days=8, sends_per_campaign_day=5), today=TODAY)
    (account,) = (a.account_id for a in world.accounts)
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text(storage_only_config(), encoding="utf-8")
    pg_env = storage_env(postgres_url, fresh_database(postgres_url))
    with running_simulator(seed=3, world=world, today=TODAY, access_token=TOKEN) as url:
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, timeout=900,
                      env={"MMLENS_HOME": str(home), "META_GRAPH_URL": url, "META_ACCESS_TOKEN": TOKEN,
                           "META_AD_ACCOUNT_IDS": f"act_{account}", **pg_env})
    assert done.returncode == 0, done.stderr[-3000:]

    # Read back as another machine would: an instance of its own on the same settings.
    for name, value in pg_env.items():
        monkeypatch.setenv(name, value)
    other = tmp_path / "other-machine"
    other.mkdir()
    (other / "dagster.yaml").write_text(storage_only_config(), encoding="utf-8")
    with dg.DagsterInstance.from_config(str(other)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        (run,) = instance.get_runs()
        assert (run.job_name, run.status) == ("daily_job", dg.DagsterRunStatus.SUCCESS)
        assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == (SINCE, UNTIL)
        records = instance.fetch_materializations(dg.AssetKey(["marts", "campaign_daily"]), limit=100).records
        assert {r.run_id for r in records} == {run.run_id}
        assert sorted(r.partition_key for r in records) == [f"2026-11-{d}" for d in range(15, 20)]
        events = instance.all_logs(run.run_id)
    # The simulator's truth for what the run's marts hold.
    expected = sum((d.spend for c in world.campaigns(account)
                    for day in (dt.date(2026, 11, 15) + dt.timedelta(days=i) for i in range(5))
                    if (d := world.campaign_day(c.message_campaign_id, day)) is not None), start=Decimal(0))
    assert expected > 0
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select sum(spend) from marts.campaign_daily").fetchone()[0] == expected
    finally:
        con.close()

    # The runs table is PostgreSQL's, and home holds no SQLite storage of Dagster's.
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1).rsplit("/", 1)[0]
                              + "/" + pg_env["MMLENS_DAGSTER_PG_DB"])
    try:
        with engine.connect() as con_pg:
            assert con_pg.execute(sa.text("select run_id, status from runs")).fetchall() == [(run.run_id, "SUCCESS")]
    finally:
        engine.dispose()
    assert not list((home / "dagster").rglob("*.db"))
    # The password: not in the dagster.yaml on disk nor any file of the home, not printed, not in
    # the run's events (metadata included) nor its tags and config.
    assert PG_PASSWORD not in (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    assert files_containing(home, PG_PASSWORD.encode()) == []
    assert PG_PASSWORD not in done.stdout + done.stderr
    assert events and all(PG_PASSWORD not in serialize_value(e) for e in events)
    assert PG_PASSWORD not in serialize_value(run)
