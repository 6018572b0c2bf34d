"""`mmlens simulator serve`: prints its base URL, answers Graph requests, stops on interrupt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from pipelines.cli import main

ARGS = ["simulator", "serve", "--port", "0", "--today", "2026-06-17", "--accounts", "1", "--campaigns", "2",
        "--days", "10", "--seed", "5"]


def test_serve_prints_its_url_and_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    env = dict(os.environ, META_ACCESS_TOKEN="env-token")
    process = subprocess.Popen([sys.executable, "-m", "pipelines.cli", *ARGS], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        accepted = httpx.get(f"{url}/v25.0/me/accounts", params={"access_token": "env-token"}, timeout=10)
        refused = httpx.get(f"{url}/v25.0/act_1", params={"access_token": "sim-token"}, timeout=10)
        assert accepted.json()["error"]["code"] == 100  # authenticated; the object just does not exist
        assert refused.json()["error"]["code"] == 190
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    # Ctrl-C stops the server the conventional way (128 + SIGINT), without a traceback.
    assert process.returncode == 130
    assert "Traceback" not in process.stderr.read()


@pytest.mark.parametrize("bad", [["--faults", "1.5"], ["--today", "yesterday"], ["--latency-ms", "-1"], ["--port", "70000"]])
def test_bad_options_are_usage_errors(bad: list[str]) -> None:
    assert main([*ARGS, *bad]) == 2


def test_the_socket_accepts_connections_before_the_url_is_announced() -> None:
    """The URL is printed only once a client can connect: even before uvicorn runs, the bound socket
    listens, so a script that connects the moment it reads the URL is queued, never refused."""
    import socket

    from pipelines.simulator.server import Simulator, SimulatorConfig, make_server

    _server, sock, url = make_server(Simulator(SimulatorConfig()), port=0)
    try:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        sock.close()


def test_a_bad_empty_pages_share_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--empty-pages", "2"]) == 2
    assert capsys.readouterr().err.strip() == "mmlens: --empty-pages: 2.0 is not a share between 0 and 1"
