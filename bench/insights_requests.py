"""Benchmark: pulling daily campaign insights, mmlens versus one async job per day.

Both pull the same range from the built-in simulator (with `--latency-ms` added to every
response) through the same transport (`GraphClient`: retries, pacing, JSON decoding), so the
difference is the extraction strategy alone:
- mmlens: `pipelines.graph.pull.pull_insights` — one async report run per ad account for the
  whole range (`time_range` + `time_increment=1`), result pages of 500 rows, accounts pulled
  concurrently;
- per-day (the approach of dlt's `facebook_ads` source and the Singer taps): for every account and
  every day, one async job with a one-day range, polled until complete, its result read in pages
  of 100 rows (Singer's RESULT_RETURN_LIMIT), accounts one after the other.
Both poll a running job with the same schedule, so polling cadence does not favour either.
Prints HTTP requests, wall time and the ratios, and checks both landed the same rows.

    .venv/bin/python bench/insights_requests.py [--days 90] [--accounts 2] [--campaigns 40] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.graph import pull  # noqa: E402
from pipelines.graph.async_reports import PollPolicy, ReportRunner  # noqa: E402
from pipelines.graph.client import GraphClient, RetryPolicy  # noqa: E402
from pipelines.graph.insights import insights_params, parse_row  # noqa: E402
from pipelines.graph.paging import iter_rows  # noqa: E402
from pipelines.simulator.server import running_simulator  # noqa: E402
from pipelines.simulator.world import World, WorldSize  # noqa: E402

TODAY = date(2026, 6, 1)
TOKEN = "bench-token"
WINDOWS = ("7d_click", "1d_view")
# The same polling for both: a short fixed step, so latency, not sleeping, dominates.
POLL = PollPolicy(initial_seconds=0.05, max_seconds=0.05)
PEER_PAGE_LIMIT = 100


def client(url: str) -> GraphClient:
    return GraphClient(url, "v25.0", TOKEN, retry=RetryPolicy(base_seconds=0.05, max_seconds=1.0))


def mmlens(url: str, accounts: list[str], since: date, until: date) -> tuple[int, float, set[tuple]]:
    started = time.perf_counter()
    with client(url) as c:
        pulls = pull.for_each_account(accounts, lambda a: pull.pull_insights(c, a, since, until, WINDOWS, POLL), c)
        requests = c.stats.requests
    rows = {(r.message_campaign_id, r.date, r.spend, r.delivered) for p in pulls for r in p.rows}
    return requests, time.perf_counter() - started, rows


def per_day(
    url: str, accounts: list[str], since: date, until: date,
    wait: Callable[[GraphClient, str, str], None] | None = None, page_limit: int = PEER_PAGE_LIMIT,
) -> tuple[int, float, set[tuple]]:
    """One async job per account and day, sequentially, as dlt and the Singer taps do.

    `wait(client, account, run_id)` polls a job until complete (default: `POLL`, as mmlens polls)."""
    started = time.perf_counter()
    rows: set[tuple] = set()
    with client(url) as c:
        for account in accounts:
            node = c.get(f"act_{account}", {"fields": "currency,timezone_name"}, account=account)
            day = since
            while day <= until:
                body = c.post(f"act_{account}/insights", insights_params(day, day, WINDOWS), account=account)
                run_id = str(body["report_run_id"])
                if wait is None:
                    ReportRunner(c, account, POLL).wait(run_id)  # the same polling loop, so cadence is equal
                else:
                    wait(c, account, run_id)
                for raw in iter_rows(c, f"{run_id}/insights", {"limit": page_limit}, account=account):
                    row, _ = parse_row(raw, account, node["currency"], day, day, WINDOWS)
                    rows.add((row.message_campaign_id, row.date, row.spend, row.delivered))
                day += timedelta(days=1)
        requests = c.stats.requests
    return requests, time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    size = WorldSize(accounts=args.accounts, campaigns_per_account=args.campaigns, days=args.days)
    world = World(seed=args.seed, size=size, today=TODAY)
    accounts = [a.account_id for a in world.accounts]
    ranges = [world.history(a) for a in accounts]
    since, until = min(r[0] for r in ranges), max(r[1] for r in ranges)
    print(f"{args.days} days ({since}..{until}) x {args.accounts} accounts x {args.campaigns} campaigns, "
          f"{args.latency_ms} ms latency")
    results = {}
    for name, strategy in (("mmlens", mmlens), ("per-day async jobs", per_day)):
        with running_simulator(seed=args.seed, size=size, today=TODAY, access_token=TOKEN, latency_ms=args.latency_ms) as url:
            results[name] = strategy(url, accounts, since, until)
        requests, seconds, rows = results[name]
        print(f"{name:>20}: {requests:6d} HTTP requests, {seconds:8.1f} s wall, {len(rows)} campaign-days")
    (ours_req, ours_s, ours_rows), (peer_req, peer_s, peer_rows) = results.values()
    if ours_rows != peer_rows:
        raise SystemExit("the two strategies landed different rows")
    print(f"ratios (per-day / mmlens): requests {peer_req / ours_req:.1f}x, wall time {peer_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
