"""Benchmark: streaming export of a large simulated world — events per second and peak memory.

Usage: python bench/simulator_export.py [--accounts 4 --campaigns 8 --days 60 --sends 250]

Exports the world's whole history (UTC dates) into a temporary MMLENS_HOME and prints the
webhook events, send attempts, lines per second and the process's peak RSS. Peak RSS should stay
flat as the world grows: only a couple of days of streams are alive at any time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.simulator.export import export  # noqa: E402
from pipelines.simulator.world import World, WorldSize  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--campaigns", type=int, default=8)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--sends", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    today = date(2026, 6, 1)
    world = World(args.seed, WorldSize(args.accounts, args.campaigns, args.days, args.sends), today)
    before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as home:
        stats = export(world, Path(home), today - timedelta(days=args.days + 1), today)
        size = sum(f.stat().st_size for f in Path(home).rglob("*.gz"))
    lines = stats.events + stats.sends
    print(f"world: {args.accounts} accounts x {args.campaigns} campaigns x {args.days} days x {args.sends} sends")
    print(f"webhook events: {stats.events:,} in {stats.posts:,} POSTs; send attempts: {stats.sends:,}; "
          f"files: {stats.files}, {size / 1e6:.1f} MB gzip")
    print(f"time: {stats.seconds:.1f} s; {stats.events / stats.seconds:,.0f} webhook events/s; "
          f"{lines / stats.seconds:,.0f} events+sends/s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (after building the world: {before:.0f} MB)")


if __name__ == "__main__":
    main()
