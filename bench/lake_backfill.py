"""Benchmark: `mmlens backfill` of many ad accounts × days into the lake, 1, 2 and 4 runs at a time.

The simulator is served in this process (seed 7, async report runs of 2 s and more, `--latency-ms`
added to every response, as `bench/run_report.py` serves it) for a world of `--accounts` accounts
of `--campaigns` campaigns. For each parallelism, in a fresh `MMLENS_HOME` with a fresh lake (SQLite
catalog, local folder), `mmlens backfill --since D --until D --parallel N` is timed as a user runs
it, from the command to its exit (daemon start, one run per account, every commit). The lake's
tables after each backfill are compared, row for row, with those after the first; the CPU time of
the backfill's processes and the machine load (1-minute load average, sampled every 5 s) are
printed with each figure.

    .venv/bin/python bench/lake_backfill.py [--accounts 64] [--days 90] [--campaigns 6] [--latency-ms 200]
                                            [--parallel 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from pipelines.lake.catalog import Lake  # noqa: E402
from pipelines.lake.config import parse_lake_settings  # noqa: E402
from pipelines.lake.publish import LAKE_TABLES  # noqa: E402
from pipelines.lake.query import attach_lake  # noqa: E402
from pipelines.simulator.server import Simulator, SimulatorConfig, serving  # noqa: E402
from pipelines.simulator.world import World, WorldSize  # noqa: E402

TOKEN = "bench-token"
SEED = 7
JOB_SECONDS = 2.0  # `mmlens simulator serve`'s default


class LoadSampler:
    """The 1-minute load average every 5 s while a backfill runs: its mean and maximum."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(5.0):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def text(self) -> str:
        if not self.samples:
            return "load n/a"
        return f"load mean {sum(self.samples) / len(self.samples):.1f}, max {max(self.samples):.1f}"


def lake_rows(home: Path) -> dict[str, list[tuple]]:
    """Every lake table's rows, sorted."""
    settings = parse_lake_settings(lake_env(home).get)
    assert settings is not None
    con = duckdb.connect()
    try:
        attach_lake(con, Lake(settings))
        return {t.identifier: con.sql(f"select * from {t.identifier} order by all").fetchall() for t in LAKE_TABLES}
    finally:
        con.close()


def lake_env(home: Path) -> dict[str, str]:
    return {"MMLENS_LAKE_CATALOG_URI": f"sqlite:///{home / 'catalog.db'}", "MMLENS_LAKE_WAREHOUSE": str(home / "lake")}


def failed_steps(home: Path) -> str:
    """The errors of the backfill's failed runs, read from its Dagster instance before the
    benchmark's folder is removed."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster-backfill"))
    lines = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE])):
        for entry in instance.all_logs(record.dagster_run.run_id):
            event = entry.dagster_event
            error = getattr(event.event_specific_data, "error", None) if event is not None else None
            if error is not None:
                lines.append(f"{record.dagster_run.run_id[:8]} {event.event_type_value}: {error.to_string()[-2000:]}")
    return "\n".join(lines) or "(no step error recorded)"


class TreeCpu:
    """CPU seconds of a process and all its descendants (daemon, code server, run workers), read
    from /proc every 0.2 s: each process's own user + system time at its last sample, summed.
    (The backfill's own rusage misses the processes its daemon's group is killed with at the end.)
    A process that lives less than 0.2 s is missed; the run workers live for seconds."""

    def __init__(self, root: int) -> None:
        self.root = root
        self._seen: dict[tuple[int, str], float] = {}  # (pid, start time) -> CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.2):
            stats: dict[int, list[str]] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        text = Path(f"/proc/{entry}/stat").read_text()
                    except OSError:
                        continue
                    stats[int(entry)] = text[text.rindex(")") + 2:].split()
            children: dict[int, list[int]] = {}
            for pid, fields in stats.items():
                children.setdefault(int(fields[1]), []).append(pid)
            todo = [self.root]
            while todo:
                pid = todo.pop()
                todo.extend(children.get(pid, []))
                if pid in stats:  # fields from the 3rd of /proc/PID/stat: utime 14th, stime 15th, starttime 22nd
                    fields = stats[pid]
                    self._seen[(pid, fields[19])] = (int(fields[11]) + int(fields[12])) / tick

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self._seen.values())


def backfill(url: str, accounts: list[str], since: str, until: str, parallel: int, home: Path) -> tuple[float, float]:
    """Wall seconds of one `mmlens backfill` and the CPU seconds of it and every process it started."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    env.update(META_GRAPH_URL=url, META_ACCESS_TOKEN=TOKEN, META_AD_ACCOUNT_IDS=",".join(accounts),
               MMLENS_HOME=str(home), **lake_env(home))
    started = time.time()
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "mmlens"), "backfill", "--since", since, "--until", until,
                                "--parallel", str(parallel)], env=env, cwd=home, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    cpu = TreeCpu(process.pid)
    _, stderr = process.communicate()
    seconds = time.time() - started
    cpu_seconds = cpu.stop()
    if process.returncode != 0:
        raise SystemExit(f"backfill --parallel {parallel} failed ({process.returncode}): {stderr.strip()[-600:]}\n"
                         + failed_steps(home))
    return seconds, cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=64)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--campaigns", type=int, default=6)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--parallel", default="1,2,4")
    args = parser.parse_args()

    today = datetime.now(UTC).date()
    until = today - timedelta(days=1)
    since = until - timedelta(days=args.days - 1)
    world = World(seed=SEED, size=WorldSize(accounts=args.accounts, campaigns_per_account=args.campaigns,
                                            days=args.days + 1), today=today)
    accounts = [a.account_id for a in world.accounts]
    print(f"{args.accounts} accounts x {args.days} days ({since}..{until}), {args.campaigns} campaigns each, "
          f"{args.latency_ms} ms latency, report runs {JOB_SECONDS:g} s and up; {os.cpu_count()} cores, "
          f"load before {os.getloadavg()[0]:.1f}", flush=True)
    config = SimulatorConfig(seed=SEED, today=today, size=world.size, latency_ms=args.latency_ms,
                             job_seconds=JOB_SECONDS, access_token=TOKEN)
    timings: dict[int, float] = {}
    reference: dict[str, list[tuple]] | None = None
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as tmp, serving(Simulator(config, world=world)) as url:
        for parallel in (int(p) for p in args.parallel.split(",")):
            home = Path(tmp) / f"parallel-{parallel}"
            home.mkdir()
            with LoadSampler() as load:
                seconds, cpu = backfill(url, accounts, since.isoformat(), until.isoformat(), parallel, home)
            rows = lake_rows(home)
            counts = ", ".join(f"{name} {len(r)}" for name, r in rows.items())
            if reference is None:
                reference = rows
                same = f"rows: {counts}"
            else:
                differing = [name for name in rows if rows[name] != reference[name]]
                same = "lake identical to the first" if not differing else f"DIFFERENT: {', '.join(differing)}"
            timings[parallel] = seconds
            print(f"--parallel {parallel}: {seconds:7.1f} s wall, {cpu:6.1f} s CPU ({load.text()}); {same}", flush=True)
    first = min(timings)
    for parallel, seconds in timings.items():
        if parallel != first:
            print(f"speed-up at {parallel} against {first}: {timings[first] / seconds:.2f}x")


if __name__ == "__main__":
    main()
