"""Benchmark: `mmlens run` end to end against the simulator, and dlt's per-day jobs on the same world.

The simulator is served as `mmlens simulator serve --latency-ms 200 --accounts 2 --campaigns 20`
would serve it (seed 7, async report runs taking 2 s and more for big ones, 200 ms added to every
response), in this process so that every HTTP request it answers is counted. In a fresh
`MMLENS_HOME` (with `--export-days N`, the webhook exports and send logs of the last N days are
written first, not timed; their ingestion has its own benchmark, `webhook_ingest.py`), two commands
are timed as a user runs them, each in its own process, from the command to the report on disk:
- `mmlens run --date-preset last_7d`;
- `mmlens run --date-preset last_28d` (the daily schedule's run: the 28-day lookback, re-pulled).

The peer is the approach of dlt's `facebook_ads` source (`bench/insights_requests.py`, `per_day`):
for every account and day one async job, polled as dlt's `execute_job` polls (at once, then after
10 s doubling), its result read in pages of 50 (dlt's `batch_size`), accounts one after the other,
the same range as each mmlens run. It pulls insights only, while the mmlens figures count every
request of the run (account nodes, campaign lists, insights, delivery estimates).

    .venv/bin/python bench/run_report.py [--latency-ms 200] [--accounts 2] [--campaigns 20] [--dlt-sleep 10]
                                         [--export-days 0] [--skip-dlt]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import insights_requests  # noqa: E402

from pipelines.graph.client import GraphClient  # noqa: E402
from pipelines.simulator.export import export  # noqa: E402
from pipelines.simulator.server import Simulator, SimulatorConfig  # noqa: E402
from pipelines.simulator.server import serving as serve_in_thread  # noqa: E402
from pipelines.simulator.world import World, WorldSize  # noqa: E402

TOKEN = "bench-token"
SEED = 7
JOB_SECONDS = 2.0  # `mmlens simulator serve`'s default
PRESETS = (("last_7d", 7), ("last_28d", 28))
DLT_PAGE_LIMIT = 50  # dlt's facebook_insights_source batch_size


class CountingSimulator(Simulator):
    """The simulator, counting the requests it answers."""

    def __init__(self, config: SimulatorConfig, world=None) -> None:
        super().__init__(config, world)
        self.requests = 0
        self._lock = threading.Lock()

    def handle(self, *args, **kwargs):
        with self._lock:
            self.requests += 1
        return super().handle(*args, **kwargs)


@contextlib.contextmanager
def serving(world: World, latency_ms: int) -> Iterator[tuple[str, CountingSimulator]]:
    config = SimulatorConfig(seed=SEED, today=world.today, size=world.size, latency_ms=latency_ms,
                             job_seconds=JOB_SECONDS, access_token=TOKEN)
    simulator = CountingSimulator(config, world=world)
    with serve_in_thread(simulator) as url:
        yield url, simulator


def run_mmlens(mmlens: list[str], env: dict[str, str], preset: str, report: Path) -> tuple[float, float]:
    """Wall seconds of one `mmlens run`, from the command to the report on disk, and its CPU seconds."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    done = subprocess.run([*mmlens, "run", "--date-preset", preset], env=env, cwd=env["MMLENS_HOME"],
                          capture_output=True, text=True)
    seconds = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"mmlens run --date-preset {preset} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    if not report.exists() or report.stat().st_mtime < started:
        raise SystemExit(f"mmlens run --date-preset {preset} wrote no new report")
    return seconds, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def time_runs(name: str, mmlens: list[str], world: World, args) -> dict[str, tuple[float, int]]:
    """Both presets, one after the other, in a fresh MMLENS_HOME against a fresh simulator."""
    today = world.today
    results: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as home, serving(world, args.latency_ms) as (url, sim):
        if args.export_days:
            export(world, Path(home), today - timedelta(days=args.export_days), today - timedelta(days=1))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
        env.update(META_GRAPH_URL=url, META_ACCESS_TOKEN=TOKEN,
                   META_AD_ACCOUNT_IDS=",".join(a.account_id for a in world.accounts), MMLENS_HOME=home)
        for preset, _ in PRESETS:
            before = sim.requests
            seconds, cpu = run_mmlens(mmlens, env, preset, Path(home) / "reports" / "latest.html")
            results[preset] = (seconds, sim.requests - before)
            print(f"{name:>8} run --date-preset {preset:8}: {seconds:6.1f} s wall ({cpu:4.1f} s CPU), "
                  f"{sim.requests - before:4d} requests", flush=True)
    return results


def dlt_wait(first_sleep: float):
    """dlt's `execute_job`: poll at once, then sleep 10 s doubling (up to 300 s) between polls."""

    def wait(client: GraphClient, account: str, run_id: str) -> None:
        sleep = first_sleep
        while True:
            run = client.get(run_id, account=account)
            if run.get("async_status") == "Job Completed":
                return
            if run.get("async_status") in ("Job Failed", "Job Skipped"):
                raise SystemExit(f"report run {run_id} ended {run.get('async_status')} (no faults were asked for)")
            time.sleep(sleep)
            sleep = min(2 * sleep, 300.0)

    return wait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--dlt-sleep", type=float, default=10.0, help="dlt's first sleep between polls (10 s)")
    parser.add_argument("--export-days", type=int, default=0, help="days of exports to ingest in the first run")
    parser.add_argument("--skip-dlt", action="store_true", help="time mmlens only")
    parser.add_argument("--baseline", help="another mmlens command to time the same way, e.g. an older checkout's "
                        "'python -m pipelines.cli' (with PYTHONPATH set to it)")
    args = parser.parse_args()

    today = datetime.now(UTC).date()
    world = World(seed=SEED, size=WorldSize(accounts=args.accounts, campaigns_per_account=args.campaigns), today=today)
    accounts = [a.account_id for a in world.accounts]
    print(f"{args.accounts} accounts x {args.campaigns} campaigns, {args.latency_ms} ms latency, "
          f"report runs {JOB_SECONDS:g} s and up, {args.export_days} days of exports, today {today}")
    results = time_runs("mmlens", [str(ROOT / ".venv" / "bin" / "mmlens")], world, args)
    if args.baseline:
        base = time_runs("baseline", shlex.split(args.baseline), world, args)
        for preset, _ in PRESETS:
            (s_new, r_new), (s_old, r_old) = results[preset], base[preset]
            print(f"{preset}: baseline / mmlens: wall time {s_old / s_new:.1f}x, requests {r_old / r_new:.1f}x")
    if args.skip_dlt:
        return
    wait = dlt_wait(args.dlt_sleep)
    for preset, days in PRESETS:
        until = today - timedelta(days=1)
        since = until - timedelta(days=days - 1)
        with serving(world, args.latency_ms) as (url, sim):
            requests, seconds, rows = insights_requests.per_day(url, accounts, since, until, wait, DLT_PAGE_LIMIT)
        ours_s, ours_req = results[preset]
        print(f"dlt per-day jobs {since}..{until}: {seconds:6.1f} s wall, {requests:4d} requests, {len(rows)} rows; "
              f"ratios (dlt / mmlens): requests {requests / ours_req:.1f}x, wall time {seconds / ours_s:.1f}x")


if __name__ == "__main__":
    main()
