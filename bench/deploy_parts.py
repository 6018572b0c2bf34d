"""What each part of the deployment on several machines costs (docs/deploy.md, "Several machines").

Starts on loopback what the tests of tests/deploy start (PostgreSQL, Redis, the simulator), a
"central" machine (dagster-daemon and dagster-webserver on deploy/dagster.yaml) and one Celery
worker machine, launches RUNS daily_job runs one after another (ACCOUNTS accounts x DAYS days
each), and samples every part's process tree (resident memory, CPU time) every 0.25 s. Prints
each part's peak RSS and CPU seconds, the wall time of each run, and what the runs left in
PostgreSQL and Redis.

    .venv/bin/python bench/deploy_parts.py [RUNS] [ACCOUNTS] [DAYS]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg
import redis
import sqlalchemy as sa

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.deploy.services import ROOT, descendants, fresh_database, machine_env, running_redis, start, stop, storage_env
from tests.lake.services import free_port, running_postgres

BIN = Path(sys.executable).parent
TODAY = dt.date(2026, 11, 20)
TOKEN = "EAAbenchTOKEN0123456789zz"
PAGE = 4096


def _tree_usage(pid: int) -> tuple[int, float]:
    """(resident bytes, CPU seconds incl. reaped children) of `pid`'s live process tree."""
    rss, cpu = 0, 0.0
    ticks = 100.0
    for member in descendants(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        rss += int(fields[21]) * PAGE
        cpu += sum(int(f) for f in fields[11:15]) / ticks
    return rss, cpu


def _find(needle: str, name: str) -> int:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if name in text and needle in text:
            return int(cmdline.parent.name)
    raise RuntimeError(f"no {name} process with {needle}")


class Sampler(threading.Thread):
    def __init__(self, parts: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.parts, self.peak, self.cpu = parts, dict[str, int](), dict[str, float]()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for part, pid in self.parts.items():
                rss, cpu = _tree_usage(pid)
                self.peak[part] = max(self.peak.get(part, 0), rss)
                self.cpu[part] = max(self.cpu.get(part, 0.0), cpu)
            self.done.wait(0.25)


def main(runs: int, accounts: int, days: int) -> None:
    world = World(seed=9, size=WorldSize(accounts=accounts, campaigns_per_account=3, days=days + 2,
                                         sends_per_campaign_day=20), today=TODAY)
    since, until = (TODAY - dt.timedelta(days=days)).isoformat(), (TODAY - dt.timedelta(days=1)).isoformat()
    ids = ",".join(f"act_{a.account_id}" for a in world.accounts)
    tmp = Path(tempfile.mkdtemp(prefix="mmlens-deploy-bench-"))
    with running_postgres() as pg_url, running_redis() as redis_url, \
            running_simulator(seed=9, world=world, today=TODAY, access_token=TOKEN) as sim_url:
        database = fresh_database(pg_url)
        shared = {**storage_env(pg_url, database), "MMLENS_CELERY_BROKER": f"{redis_url}/0",
                  "MMLENS_CELERY_BACKEND": f"{redis_url}/1", "META_GRAPH_URL": sim_url, "META_ACCESS_TOKEN": TOKEN,
                  "META_AD_ACCOUNT_IDS": ids}
        central = machine_env(tmp / "central", shared)
        worker_env = machine_env(tmp / "worker", {**shared, "CELERY_BROKER_URL": shared["MMLENS_CELERY_BROKER"],
                                                  "CELERY_RESULT_BACKEND": shared["MMLENS_CELERY_BACKEND"]})
        port = pg_url.rsplit(":", 1)[1].split("/")[0]
        started = time.monotonic()
        commands = {
            "celery worker (1 slot)": ([str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", "dagster",
                                        "--concurrency", "1", "--prefetch-multiplier", "1", "-n", "bench@%h"], worker_env),
            "dagster-daemon": ([str(BIN / "dagster-daemon"), "run", "-m", "pipelines.definitions_deploy"], central),
            "dagster-webserver": ([str(BIN / "dagster-webserver"), "-m", "pipelines.definitions_deploy", "-h",
                                   "127.0.0.1", "-p", str(free_port())], central),
        }
        parts = {"postgresql": _find(f"port={port}", "postgres"),
                 "redis-server": _find(redis_url.removeprefix("redis://"), "redis-server")}
        procs: dict[str, subprocess.Popen[bytes]] = {}
        sampler = Sampler(parts)
        walls = []
        try:
            for name, (command, env) in commands.items():
                procs[name] = start(command, env, tmp / f"{name.split()[0]}.log")
                parts[name] = procs[name].pid
            sampler.start()
            os.environ.update(shared)  # for this process's instance on the same settings
            with dg.DagsterInstance.from_config(central["DAGSTER_HOME"]) as instance:
                for _ in range(runs):
                    run_id, t0 = str(uuid.uuid4()), time.monotonic()
                    tags = {"dagster/asset_partition_range_start": since, "dagster/asset_partition_range_end": until}
                    subprocess.run([str(BIN / "dagster"), "job", "launch", "-m", "pipelines.definitions_deploy", "-j",
                                    "daily_job", "--run-id", run_id, "--tags", json.dumps(tags)], env=central, cwd=ROOT,
                                   check=True, capture_output=True, timeout=600)
                    deadline = time.monotonic() + 1800
                    while not (run := instance.get_run_by_id(run_id)) or not run.is_finished:
                        assert time.monotonic() < deadline, f"run {run_id} unfinished after 1800 s (logs in {tmp})"
                        time.sleep(0.5)
                    assert run.status == dg.DagsterRunStatus.SUCCESS, run.status
                    walls.append(time.monotonic() - t0)
                events = instance.event_log_storage.get_logs_for_run(run_id)
        finally:
            sampler.done.set()
            if sampler.is_alive():
                sampler.join()
            for process in procs.values():
                stop(process)
        engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://", 1).rsplit("/", 1)[0] + f"/{database}")
        with engine.connect() as con:
            size = con.execute(sa.text("select pg_database_size(current_database())")).scalar_one()
            rows = con.execute(sa.text("select count(*) from event_logs")).scalar_one()
        engine.dispose()
        host, rport = redis_url.removeprefix("redis://").split(":")
        redis_peak = redis.Redis(host=host, port=int(rport)).info("memory")["used_memory_peak"]
    total = time.monotonic() - started
    print(f"{runs} runs of daily_job, {accounts} accounts x {days} days each, one after another; {total:.0f} s in all")
    print("| part | peak RSS (process tree) | CPU seconds |")
    print("|---|---:|---:|")
    for part in parts:
        print(f"| {part} | {sampler.peak[part] / 2**20:.0f} MiB | {sampler.cpu[part]:.1f} |")
    print(f"run wall times: {', '.join(f'{w:.1f} s' for w in walls)}")
    print(f"PostgreSQL: Dagster's database {size / 2**20:.1f} MiB after {runs} runs, {rows} event rows "
          f"({len(events)} in the last run); Redis used_memory_peak {redis_peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [3, 2, 7][len(args):]))
