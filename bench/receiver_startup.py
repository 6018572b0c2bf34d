"""Benchmark: how fast `mmlens webhooks serve` is listening, and how much memory it holds then.

Starts the receiver (`--port 0` on loopback, a fresh MMLENS_HOME each time) in a new interpreter,
`--runs` times, and reports for each start:

- ready: seconds from starting the process to the first 200 from `/healthz`;
- objects: what the garbage collector tracks once startup is done (`len(gc.get_objects())` after a
  full collection, taken where `run_server` tunes the collector, i.e. just before uvicorn serves);
- cpu: the process's CPU seconds (user + system) by then, which a busy machine changes less than
  the wall-clock time;
- VmHWM and VmRSS of the process once ready (`/proc/PID/status`).

`--tree` runs another checkout of the repository with this interpreter (e.g. an older commit in
`git worktree add --detach`), so that two versions are measured with the same packages.

    .venv/bin/python bench/receiver_startup.py [--runs 5] [--tree PATH]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

# Counts the objects once startup is done, then tunes the collector as the receiver does.
PROBE = """
import gc, sys
import pipelines.webhooks.receiver as receiver
tune_gc = receiver.tune_gc
def counted():
    gc.collect()
    print(f"OBJECTS={len(gc.get_objects())}", file=sys.stderr, flush=True)
    tune_gc()
receiver.tune_gc = counted
from pipelines.cli import main
raise SystemExit(main(["webhooks", "serve", "--port", sys.argv[1]]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0])
    return fields


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def start_once(tree: Path) -> dict[str, float]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as home:
        env = {**os.environ, "MMLENS_HOME": home, "META_APP_SECRET": "s", "META_WEBHOOK_VERIFY_TOKEN": "t",
               "PYTHONPATH": str(tree)}
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", PROBE, str(port)], cwd=tree, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = started + 120
            while time.perf_counter() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if process.poll() is not None:
                        raise SystemExit(f"receiver exited: {process.stderr.read() if process.stderr else ''}") from None
                    time.sleep(0.01)
            else:
                raise SystemExit("receiver did not answer /healthz within 120 s")
            ready = time.perf_counter() - started
            status = _status(process.pid)
            cpu = _cpu_seconds(process.pid)
        finally:
            process.terminate()
            _, err = process.communicate(timeout=30)
    objects = next(int(line.split("=")[1]) for line in err.splitlines() if line.startswith("OBJECTS="))
    return {"ready": ready, "cpu": cpu, "objects": objects, "hwm_mb": status["VmHWM"] / 1024, "rss_mb": status["VmRSS"] / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    args = parser.parse_args()
    runs = [start_once(args.tree.resolve()) for _ in range(args.runs)]
    for run in runs:
        print(f"ready {run['ready']:5.2f} s  cpu {run['cpu']:5.2f} s  objects {run['objects']:7,d}  "
              f"VmHWM {run['hwm_mb']:5.1f} MB  VmRSS {run['rss_mb']:5.1f} MB")
    print(f"median of {len(runs)}: ready {statistics.median(r['ready'] for r in runs):.2f} s, "
          f"cpu {statistics.median(r['cpu'] for r in runs):.2f} s, "
          f"objects {statistics.median(r['objects'] for r in runs):,.0f}, "
          f"VmHWM {statistics.median(r['hwm_mb'] for r in runs):.1f} MB")


if __name__ == "__main__":
    main()
