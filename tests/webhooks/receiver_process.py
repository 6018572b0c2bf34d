"""`mmlens webhooks serve` in a child process, for tests that need real sockets and a real uvicorn."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from pipelines.webhooks.signature import sign
from tests.conftest import REPO_ROOT

SECRET, TOKEN = "receiver-test-secret", "receiver-test-token"
STARTUP_CEILING = 60.0  # seconds; a loaded shared machine imports slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_headers(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, SECRET)}


class Receiver:
    """A running receiver; `stderr` collects its lines as they come."""

    def __init__(self, home: Path, *args: str, port: int = 0, preexec_fn=None) -> None:
        env = {**os.environ, "MMLENS_HOME": str(home), "META_APP_SECRET": SECRET,
               "META_WEBHOOK_VERIFY_TOKEN": TOKEN, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "webhooks", "serve", "--port", str(port), *args],
            env=env, cwd=home.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
        self.stderr: list[str] = []
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = port

    def _read(self) -> None:
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.stderr.append(line)
            if found := re.search(r"listening on http://127\.0\.0\.1:(\d+)/webhooks", line):
                self.port = int(found.group(1))
                self._listening.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> Receiver:
        """Block until `/healthz` answers 200 (ceiling `STARTUP_CEILING`)."""
        deadline = time.monotonic() + STARTUP_CEILING
        self._listening.wait(STARTUP_CEILING)
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling for readiness, not synchronising with the code under test
        self.process.kill()
        raise AssertionError("receiver did not start: " + "\n".join(self.stderr[-20:]))

    def health(self) -> dict:
        return httpx.get(f"{self.url}/healthz", timeout=10).json()

    def wait_until(self, condition, what: str, ceiling: float = 30.0) -> None:
        """Poll `/healthz` until `condition(its json)` holds."""
        deadline = time.monotonic() + ceiling
        while time.monotonic() < deadline:
            if condition(self.health()):
                return
            time.sleep(0.02)
        raise AssertionError(f"not within {ceiling} s: {what}; last /healthz: {self.health()}")

    def stop(self) -> int:
        """SIGTERM, wait for the graceful shutdown, return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        finally:
            self._reader.join(10)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(10)
