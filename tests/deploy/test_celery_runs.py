"""Several machines, on one: the daemon's machine and two worker machines, each a process of its
own with a DAGSTER_HOME and MMLENS_HOME of its own and the same `deploy/dagster.yaml`, each worker
serving one Celery queue with its own ad account. Two runs launched on the first, one tagged for
the second worker's queue, are queued in PostgreSQL, dequeued by `dagster-daemon`, handed by
dagster-celery's run launcher through Redis (Debian's, on loopback) to their workers, and their
steps execute in those workers' processes and homes against the simulator, publishing to one lake whose catalog is in PostgreSQL; the first machine reads the runs' outcome
back from PostgreSQL. No password is written anywhere."""

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


def _wait_for_end(instance: dg.DagsterInstance, run_ids: list[str], processes: list[subprocess.Popen[bytes]],
                  logs: list[Path]) -> list[dg.DagsterRun]:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        runs = [instance.get_run_by_id(run_id) for run_id in run_ids]
        if all(run is not None and run.is_finished for run in runs):
            return [run for run in runs if run is not None]
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    raise AssertionError(f"runs {run_ids} did not end within 900 s: {logs[-1].read_text(errors='replace')[-3000:]}")


def _truth(world: World, account: str) -> Decimal:
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(4)]
    return sum((d.spend for c in world.campaigns(account) for day in days
                if (d := world.campaign_day(c.message_campaign_id, day)) is not None), start=Decimal(0))


def test_queued_runs_execute_on_the_celery_workers_of_their_queues_with_their_outcome_in_postgresql(
    tmp_path: Path, postgres_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(seed=4, size=WorldSize(accounts=2, campaigns_per_account=2, days=8, sends_per_campaign_day=5), today=TODAY)
    first, second = (a.account_id for a in world.accounts)
    # The lake as a deployment keeps it: its catalog in PostgreSQL (a database of its own), its
    # files in a folder standing in for the object store (S3 is tested in tests/lake).
    catalog = postgres_url.rsplit("/", 1)[0] + "/" + fresh_database(postgres_url)
    lake_env = {"MMLENS_LAKE_CATALOG_URI": catalog, "MMLENS_LAKE_WAREHOUSE": str(tmp_path / "object-store")}
    shared = {**storage_env(postgres_url, fresh_database(postgres_url)), **lake_env,
              "MMLENS_CELERY_BROKER": f"{redis_url}/0", "MMLENS_CELERY_BACKEND": f"{redis_url}/1"}
    celery_env = {"CELERY_BROKER_URL": shared["MMLENS_CELERY_BROKER"], "CELERY_RESULT_BACKEND": shared["MMLENS_CELERY_BACKEND"]}
    # worker-a serves the default queue, worker-b a queue of its own; each its own account.
    workers = {"a": ("dagster", first), "b": ("accounts-b", second)}
    run_ids = {name: str(uuid.uuid4()) for name in workers}
    with running_simulator(seed=4, world=world, today=TODAY, access_token=TOKEN) as url:
        meta = {"META_GRAPH_URL": url, "META_ACCESS_TOKEN": TOKEN}
        central = machine_env(tmp_path / "central", {**shared, **meta, "META_AD_ACCOUNT_IDS": f"act_{first},act_{second}"})
        logs = [tmp_path / "daemon.log", tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        processes = [start([str(BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions_deploy"], central, logs[0])]
        try:
            for name, run_id in run_ids.items():
                tags = {"dagster/asset_partition_range_start": SINCE, "dagster/asset_partition_range_end": UNTIL}
                if name == "b":
                    tags["dagster-celery/queue"] = "accounts-b"
                launched = subprocess.run([str(BIN / "dagster"), "job", "launch", "-m", "pipelines.definitions_deploy",
                                           "-j", "daily_job", "--run-id", run_id, "--tags", json.dumps(tags)],
                                          env=central, cwd=ROOT, capture_output=True, text=True, timeout=300)
                assert launched.returncode == 0, launched.stderr[-3000:]
            # The workers start once both runs are launched: each takes only its own queue's run.
            for (name, (queue, account)), log in zip(workers.items(), logs[1:], strict=True):
                env = machine_env(tmp_path / f"worker-{name}", {**shared, **meta, **celery_env,
                                                                 "META_AD_ACCOUNT_IDS": f"act_{account}"})
                processes.append(start([str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", queue,
                                        "--concurrency", "1", "--prefetch-multiplier", "1", "-n", f"worker-{name}@%h",
                                        "--loglevel", "INFO"], env, log))
            for name, value in shared.items():
                monkeypatch.setenv(name, value)
            with dg.DagsterInstance.from_config(central["DAGSTER_HOME"]) as instance:
                runs = dict(zip(run_ids, _wait_for_end(instance, list(run_ids.values()), processes, logs), strict=True))
                events = {name: instance.all_logs(run_id) for name, run_id in run_ids.items()}
                worker_pids = {name: descendants(process.pid) for name, process in zip(workers, processes[1:], strict=True)}
                records = instance.fetch_materializations(dg.AssetKey(["marts", "campaign_daily"]), limit=100).records
                # What the run launcher packs into each Celery task, for the broker to carry.
                instance_ref = serialize_value(instance.get_ref())
        finally:
            for process in processes:
                stop(process)

    for name, run in runs.items():
        failures = [e.message for e in events[name] if e.is_dagster_event and e.dagster_event.is_step_failure]
        assert run.status == dg.DagsterRunStatus.SUCCESS, failures
        assert run.tags["dagster-celery/task_id"]
        messages = [e.dagster_event.message for e in events[name] if e.is_dagster_event]
        assert "[CeleryRunLauncher] Celery task has been forwarded to the broker." in messages
        # Each step's events carry the process that ran it (some, such as logged outputs, carry none):
        # the worker of the run's queue.
        step_pids = {e.dagster_event.pid for e in events[name] if e.is_dagster_event and e.dagster_event.step_key} - {None}
        assert step_pids and step_pids <= worker_pids[name], (name, step_pids, worker_pids)
    assert sorted(r.partition_key for r in records) == sorted([f"2026-11-{d}" for d in range(16, 20)] * 2)
    # Each run wrote its worker's home, and only it: the simulator's truth for its account is there.
    assert not (tmp_path / "central" / "warehouse.duckdb").exists()
    for name, (_, account) in workers.items():
        con = duckdb.connect(str(tmp_path / f"worker-{name}" / "warehouse.duckdb"), read_only=True)
        try:
            got = con.execute("select ad_account_id, sum(spend) from marts.campaign_daily group by 1").fetchall()
        finally:
            con.close()
        assert got == [(account, _truth(world, account))] and _truth(world, account) > 0
    # ...and their last steps published both to the shared lake, where any machine reads them.
    settings = parse_lake_settings(lake_env.get)
    assert settings is not None
    lake_con = duckdb.connect()
    try:
        attach_lake(lake_con, Lake(settings))
        got = lake_con.execute("select ad_account_id, sum(spend) from marts.campaign_daily group by 1 order by 1").fetchall()
    finally:
        lake_con.close()
    assert got == sorted([(first, _truth(world, first)), (second, _truth(world, second))])
    # The PostgreSQL password: in no file of any machine (their dagster.yaml included), no log of
    # the workers or the daemon, no event of the runs.
    assert files_containing(tmp_path, PG_PASSWORD.encode()) == []
    assert all(PG_PASSWORD not in serialize_value(e) for run_events in events.values() for e in run_events)
    assert PG_PASSWORD not in instance_ref and "MMLENS_DAGSTER_PG_PASSWORD" in instance_ref
