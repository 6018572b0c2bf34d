"""Several machines, on one: the webserver's and daemon's machine and a worker machine, each a
process of its own with a DAGSTER_HOME and MMLENS_HOME of its own and the same `deploy/dagster.yaml`.
A run launched on the first is queued in PostgreSQL, dequeued by `dagster-daemon`, handed by
dagster-celery's run launcher through Redis (Debian's, on loopback) to a Celery worker, and its
steps execute in the worker's process and its home, against the simulator, publishing to a lake
whose catalog is in PostgreSQL; the first machine reads the run's outcome back from PostgreSQL.
No password is written anywhere."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._serdes import serialize_value

from pipelines.lake.catalog import Lake
from pipelines.lake.config import parse_lake_settings
from pipelines.lake.query import attach_lake
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.deploy.services import ROOT, descendants, fresh_database, machine_env, start, stop, storage_env
from tests.e2e.helpers import files_containing
from tests.lake.services import PG_PASSWORD

pytestmark = pytest.mark.lake_services
TOKEN = "EAAceleryTOKEN0123456789zz"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-16", "2026-11-19"
BIN = Path(sys.executable).parent


def _wait_for_end(instance: dg.DagsterInstance, run_id: str, processes: list[subprocess.Popen[bytes]],
                  logs: list[Path]) -> dg.DagsterRun:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.is_finished:
            return run
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not end within 900 s: {logs[-1].read_text(errors='replace')[-3000:]}")


def test_a_queued_run_executes_on_a_celery_worker_with_its_outcome_in_postgresql(
    tmp_path: Path, postgres_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(seed=4, size=WorldSize(accounts=1, campaigns_per_account=2, days=8, sends_per_campaign_day=5), today=TODAY)
    (account,) = (a.account_id for a in world.accounts)
    # The lake as a deployment keeps it: its catalog in PostgreSQL (a database of its own), its
    # files in a folder standing in for the object store (S3 is tested in tests/lake).
    catalog = postgres_url.rsplit("/", 1)[0] + "/" + fresh_database(postgres_url)
    lake_env = {"MMLENS_LAKE_CATALOG_URI": catalog, "MMLENS_LAKE_WAREHOUSE": str(tmp_path / "object-store")}
    shared = {**storage_env(postgres_url, fresh_database(postgres_url)), **lake_env,
              "MMLENS_CELERY_BROKER": f"{redis_url}/0", "MMLENS_CELERY_BACKEND": f"{redis_url}/1"}
    run_id = str(uuid.uuid4())
    with running_simulator(seed=4, world=world, today=TODAY, access_token=TOKEN) as url:
        meta = {"META_GRAPH_URL": url, "META_ACCESS_TOKEN": TOKEN, "META_AD_ACCOUNT_IDS": f"act_{account}"}
        central = machine_env(tmp_path / "central", {**shared, **meta})
        worker_env = machine_env(tmp_path / "worker-a", {**shared, **meta, "CELERY_BROKER_URL": shared["MMLENS_CELERY_BROKER"],
                                                      "CELERY_RESULT_BACKEND": shared["MMLENS_CELERY_BACKEND"]})
        logs = [tmp_path / "worker.log", tmp_path / "daemon.log"]
        worker = start([str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", "dagster", "--concurrency", "1",
                         "--prefetch-multiplier", "1", "-n", "worker-a@%h", "--loglevel", "INFO"], worker_env, logs[0])
        daemon = start([str(BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions_deploy"], central, logs[1])
        try:
            tags = {"dagster/asset_partition_range_start": SINCE, "dagster/asset_partition_range_end": UNTIL}
            launched = subprocess.run([str(BIN / "dagster"), "job", "launch", "-m", "pipelines.definitions_deploy",
                                       "-j", "daily_job", "--run-id", run_id, "--tags", json.dumps(tags)],
                                      env=central, cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert launched.returncode == 0, launched.stderr[-3000:]
            for name, value in shared.items():
                monkeypatch.setenv(name, value)
            with dg.DagsterInstance.from_config(central["DAGSTER_HOME"]) as instance:
                run = _wait_for_end(instance, run_id, [worker, daemon], logs)
                events = instance.all_logs(run_id)
                worker_pids = descendants(worker.pid)
                records = instance.fetch_materializations(dg.AssetKey(["marts", "campaign_daily"]), limit=100).records
                # What the run launcher packs into each Celery task, for the broker to carry.
                instance_ref = serialize_value(instance.get_ref())
        finally:
            stop(daemon)
            stop(worker)

    assert run.status == dg.DagsterRunStatus.SUCCESS, [e.message for e in events if e.is_dagster_event and e.dagster_event.is_step_failure]
    assert run.tags["dagster-celery/task_id"]
    messages = [e.dagster_event.message for e in events if e.is_dagster_event]
    assert "[CeleryRunLauncher] Celery task has been forwarded to the broker." in messages
    # Each step's events carry the process that ran it (some, such as its logged outputs, carry none).
    step_pids = {e.dagster_event.pid for e in events if e.is_dagster_event and e.dagster_event.step_key} - {None}
    assert step_pids and step_pids <= worker_pids, (step_pids, worker_pids)
    assert sorted(r.partition_key for r in records) == [f"2026-11-{d}" for d in range(16, 20)]
    # The steps wrote the worker's home, and only it: the simulator's truth is in its warehouse.
    assert not (tmp_path / "central" / "warehouse.duckdb").exists()
    expected = sum((d.spend for c in world.campaigns(account)
                    for day in (dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(4))
                    if (d := world.campaign_day(c.message_campaign_id, day)) is not None), start=Decimal(0))
    con = duckdb.connect(str(tmp_path / "worker-a" / "warehouse.duckdb"), read_only=True)
    try:
        assert expected > 0
        assert con.execute("select sum(spend) from marts.campaign_daily").fetchone()[0] == expected
    finally:
        con.close()
    # ...and its last step published them to the shared lake, where any machine reads them.
    settings = parse_lake_settings(lake_env.get)
    assert settings is not None
    lake_con = duckdb.connect()
    try:
        attach_lake(lake_con, Lake(settings))
        assert lake_con.execute("select sum(spend) from marts.campaign_daily").fetchone()[0] == expected
    finally:
        lake_con.close()
    # The PostgreSQL password: in no file of either machine (their dagster.yaml included), no log
    # of the worker or the daemon, no event of the run.
    assert files_containing(tmp_path, PG_PASSWORD.encode()) == []
    assert all(PG_PASSWORD not in serialize_value(e) for e in events)
    assert PG_PASSWORD not in instance_ref and "MMLENS_DAGSTER_PG_PASSWORD" in instance_ref
