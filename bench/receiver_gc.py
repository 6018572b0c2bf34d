"""Benchmark: what Python's cyclic garbage collector does inside `mmlens webhooks serve` under load,
with the receiver's tuning (`tune_gc`: freeze what exists after startup, young threshold 10,000)
and without it, or with one half of it.

For each variant in turn, starts the receiver with that variant in place of `tune_gc` and a
`gc.callbacks` hook counting the collections of each generation and timing them, fires
`--requests` signed POSTs at `--concurrency` with the client of `bench/webhook_receiver.py`, then
asks the server for its counts (SIGUSR1) and stops it. Prints POST/s, p99 and, per generation, the
collections, their total and their longest pause.

    .venv/bin/python bench/receiver_gc.py [--requests 20000] [--concurrency 64] [--variants none full freeze threshold]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import webhook_receiver as bench

from tests.webhooks import samples

PROBE = """
import gc, signal, sys, time
import pipelines.webhooks.receiver as receiver
variant = sys.argv[2]
tune_gc = receiver.tune_gc
stats = {generation: [0, 0.0, 0.0] for generation in range(3)}
started = [0.0]

def timed(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
        return
    pause = time.perf_counter() - started[0]
    seen = stats[info["generation"]]
    seen[0] += 1
    seen[1] += pause
    seen[2] = max(seen[2], pause)

def report(*_):
    for generation, (count, total, longest) in stats.items():
        print(f"GEN{generation} {count} {total:.6f} {longest:.6f}", file=sys.stderr, flush=True)

def tuned():
    if variant == "full":
        tune_gc()
    elif variant == "freeze":
        gc.collect()
        gc.freeze()
    elif variant == "threshold":
        gc.set_threshold(receiver.GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.callbacks.append(timed)
    signal.signal(signal.SIGUSR1, report)

receiver.tune_gc = tuned
from pipelines.cli import main
raise SystemExit(main(["webhooks", "serve", "--port", sys.argv[1]]))
"""


def run_variant(variant: str, bodies: list[bytes], concurrency: int) -> str:
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as home:
        port = bench._free_port()
        env = {**os.environ, "MMLENS_HOME": home, "META_APP_SECRET": bench.SECRET, "META_WEBHOOK_VERIFY_TOKEN": "t",
               "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-c", PROBE, str(port), variant], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            bench._start_wait(process, port)
            seconds, latencies, failures = asyncio.run(bench._load(port, bodies, concurrency))
            process.send_signal(signal.SIGUSR1)
            assert process.stderr is not None
            lines: list[list[str]] = []
            while len(lines) < 3:  # the receiver's own log lines may come first
                line = process.stderr.readline()
                if not line:
                    raise SystemExit("the receiver stopped before reporting its collections")
                if line.startswith("GEN"):
                    lines.append(line.split())
        finally:
            process.terminate()
            process.communicate(timeout=30)
    line = (f"{variant:>9}: {len(bodies) / seconds:6.0f} POST/s  p99 {bench._percentile(latencies, 0.99) * 1000:6.1f} ms"
            f"  max {max(latencies) * 1000:6.1f} ms  non-200 {failures}")
    for name, count, total, longest in lines:
        line += (f"\n           {name.lower()}: {count:>5} collections, {float(total) * 1000:5.0f} ms,"
                 f" longest {float(longest) * 1000:5.1f} ms")
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--variants", nargs="+", default=["none", "full", "freeze", "threshold"],
                        choices=["none", "full", "freeze", "threshold"])
    args = parser.parse_args()
    bodies = []
    for n in range(args.requests):
        items = [("marketing_message_deliveries", samples.echo(n * 5 + k)) for k in range(1 + n % 5)]
        bodies.append(samples.line(samples.changes(*items)))
    for variant in args.variants:
        print(run_variant(variant, bodies, args.concurrency), flush=True)


if __name__ == "__main__":
    main()
