"""Benchmark: the receiver's signed POSTs per second with durable acknowledgement (fsync, group
commit) against a bare endpoint on the same stack that only reads the body and returns 200.

- durable: `mmlens webhooks serve`, i.e. the CLI, settings, the receiver's Starlette app (size
  limit, HMAC check over the raw bytes, journal append, 200 only after the fdatasync covering the
  body) served by `pipelines.webhooks.receiver.run_server`.
- bare: a Starlette app with one POST route that reads the body and returns 200, served by the
  same `run_server` (same uvicorn options: default loop and HTTP implementation, i.e. uvloop and
  httptools as installed, and the same garbage collector tuning, `tune_gc`).

Both servers run as separate processes on loopback; the same minimal asyncio keep-alive client
fires the same pre-signed bodies (one to five change events each) with a fixed concurrency. Prints
requests/s, latency percentiles and the ratio durable/bare.

With `--untuned` a third server takes the same turns: `mmlens webhooks serve` with the garbage
collector at Python's defaults (`tune_gc` replaced by a no-op).

    .venv/bin/python bench/webhook_receiver.py [--requests 5000] [--concurrency 64] [--repeat 5] [--untuned]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.webhooks.receiver import run_server
from pipelines.webhooks.signature import sign
from tests.webhooks import samples

SECRET = "bench-secret"
# `mmlens webhooks serve` with the garbage collector left at Python's defaults.
UNTUNED = """
import sys
import pipelines.webhooks.receiver as receiver
receiver.tune_gc = lambda: None
from pipelines.cli import main
raise SystemExit(main(["webhooks", "serve", "--port", sys.argv[1]]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bare(port: int) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def receive(request: Request) -> PlainTextResponse:
        await request.body()
        return PlainTextResponse("EVENT_RECEIVED")

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/webhooks", receive, methods=["POST"]), Route("/healthz", health)])
    # The receiver's own server runner: same uvicorn options and the same garbage collector tuning.
    run_server(app, host="127.0.0.1", port=port)


def _start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _start_wait(process, port)
    return process


def _start_wait(process: subprocess.Popen, port: int) -> None:
    """Until the server on `port` answers /healthz (polled every 50 ms, for up to 15 s)."""
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server did not start: {process.args}")


async def _load(port: int, bodies: list[bytes], concurrency: int) -> tuple[float, list[float], int]:
    """Keep-alive HTTP/1.1 over raw asyncio streams: a minimal client, so that the servers, not
    the client library, are what is measured. Requests are prepared (signed) before timing."""
    requests = [
        (b"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         b"X-Hub-Signature-256: " + sign(body, SECRET).encode() + b"\r\nContent-Length: "
         + str(len(body)).encode() + b"\r\n\r\n" + body)
        for body in bodies
    ]
    latencies: list[float] = []
    failures = 0
    queue = iter(requests)

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                failures += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5,
                        help="load rounds per server, alternating servers; the best round of each counts")
    parser.add_argument("--untuned", action="store_true",
                        help="also run the durable server without `tune_gc` (the collector's defaults), in the same turns")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        _bare(args.bare)
        return
    bodies = []
    for n in range(args.requests):
        items = [("marketing_message_deliveries", samples.echo(n * 5 + k)) for k in range(1 + n % 5)]
        bodies.append(samples.line(samples.changes(*items)))
    results = {}
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as home:
        env = {**os.environ, "META_APP_SECRET": SECRET, "META_WEBHOOK_VERIFY_TOKEN": "t",
               "PYTHONPATH": str(ROOT)}
        servers = {
            "bare": lambda port: [sys.executable, __file__, "--bare", str(port)],
            "durable": lambda port: [sys.executable, "-m", "pipelines.cli", "webhooks", "serve", "--port", str(port)],
        }
        if args.untuned:
            servers["untuned"] = lambda port: [sys.executable, "-c", UNTUNED, str(port)]
        # Both servers run side by side and take turns, round after round, so that a change in the
        # machine's load hits both alike; the best round of each is compared (loopback rates on a
        # shared 2-core machine swing by 2x from one round to the next).
        processes, ports = {}, {}
        try:
            for name, command in servers.items():
                ports[name] = _free_port()
                # Each receiver its own MMLENS_HOME: one receiver at a time holds a journal's folder.
                processes[name] = _start(command(ports[name]), {**env, "MMLENS_HOME": f"{home}/{name}"}, ports[name])
                asyncio.run(_load(ports[name], bodies[:200], args.concurrency))  # warm-up
            rounds: dict[str, list] = {name: [] for name in servers}
            for _ in range(args.repeat):
                for name in servers:
                    rounds[name].append(asyncio.run(_load(ports[name], bodies, args.concurrency)))
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(20)
        for name, runs in rounds.items():
            seconds, latencies, _failures = min(runs, key=lambda run: run[0])
            results[name] = args.requests / seconds
            print(f"{name:>8}: {results[name]:7.0f} POST/s  p50 {_percentile(latencies, 0.5) * 1000:6.1f} ms  "
                  f"p99 {_percentile(latencies, 0.99) * 1000:6.1f} ms  max {max(latencies) * 1000:6.1f} ms  "
                  f"non-200 {sum(run[2] for run in runs)}  (best of {len(runs)}: "
                  + ", ".join(f"{args.requests / run[0]:.0f}" for run in runs) + ")")
        stored = sum(len(p.read_bytes().splitlines()) for p in Path(home).glob("*/exports/webhooks/*.ndjson"))
        expected = (args.requests * args.repeat + 200) * (1 + args.untuned)
        print(f"durable lines on disk after shutdown: {stored} (expected {expected})")
    print(f"ratio durable/bare throughput: {results['durable'] / results['bare']:.2f}")
    if args.untuned:
        print(f"ratio untuned/durable throughput: {results['untuned'] / results['durable']:.2f}")


if __name__ == "__main__":
    main()
