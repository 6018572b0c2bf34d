"""kill -9 under load: every event whose POST got a 200 is in the warehouse exactly once."""

from __future__ import annotations

import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from pipelines import warehouse
from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.ingest import WEBHOOKS, ingest
from pipelines.webhooks.signature import sign
from tests.webhooks import samples as s
from tests.webhooks.receiver_process import SECRET, Receiver, free_port

# Ceilings for events that normally take well under a second; reached only on a bug (or a machine
# far slower than any CI), never the condition a test passes on.
CEILING = 120.0
ACKED_BEFORE_KILL = 400


def _start(home: Path, port: int) -> subprocess.Popen:
    return Receiver(home, port=port).wait_ready().process


def _body(n: int) -> bytes:
    tracking = f"crash-{n:06d}"
    return s.line(s.changes(("marketing_message_echoes", s.echo(n, marketing_message_tracking_id=tracking)),
                            ("marketing_message_deliveries", s.echo(n, marketing_message_tracking_id=tracking))))


def _post(client: httpx.Client, url: str, n: int) -> int | None:
    body = _body(n)
    try:
        response = client.post(url, content=body, headers={"X-Hub-Signature-256": sign(body, SECRET)})
    except httpx.TransportError:
        return None
    return n if response.status_code == 200 else None


def test_acknowledged_events_survive_kill_9(home: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks"
    acked: list[int] = []
    lock = threading.Lock()
    killed, enough = threading.Event(), threading.Event()
    process = _start(home, port)

    def worker(numbers: range) -> None:
        with httpx.Client(timeout=CEILING) as client:
            for n in numbers:
                if killed.is_set():
                    return  # the requests in flight at the kill have had their answer
                if (done := _post(client, url, n)) is not None:
                    with lock:
                        acked.append(done)
                        if len(acked) >= ACKED_BEFORE_KILL:
                            enough.set()

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(worker, range(w * 10_000, w * 10_000 + 2_000)) for w in range(16)]
            reached = enough.wait(CEILING)
            process.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
            process.wait(CEILING)
            killed.set()
            for future in futures:
                future.result()
        assert reached and len(acked) >= ACKED_BEFORE_KILL
        killed_acked = len(acked)

        process = _start(home, port)  # recovers the .open file left by the kill
        with httpx.Client(timeout=CEILING) as client:
            for n in range(900_000, 900_020):
                assert _post(client, url, n) == n
                acked.append(n)
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status reports it.
        assert process.wait(CEILING) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()

    folder = home / "exports" / "webhooks"
    assert not list(folder.glob("*.open"))  # sealed on recovery and on graceful shutdown
    assert len(sealed_files(folder)) >= 2  # the killed run's file (sealed at restart) and the restarted run's
    with warehouse.connect(home / "warehouse.duckdb") as con:
        stats = ingest(con, home / "exports", WEBHOOKS)
        rows = con.execute("select tracking_id, event_type, count(*) from raw.webhook_events group by all").fetchall()
    assert stats.balanced and stats.lines_quarantined == 0
    counts = {(tracking, event_type): n for tracking, event_type, n in rows}
    for n in acked:
        for event_type in ("echo", "delivery"):
            assert counts.get((f"crash-{n:06d}", event_type)) == 1, (n, event_type)
    assert killed_acked < len(acked)
