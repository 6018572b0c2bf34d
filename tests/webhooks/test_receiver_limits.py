"""The receiver against clients that hold on: a real `mmlens webhooks serve` process and raw sockets.

Each case is one the receiver failed before it had limits: stalled connections were never closed,
more of them than descriptors made valid POSTs fail, unsigned bodies were buffered without bound,
a client leaving mid-body logged a 40-line traceback, and a second receiver on the same folder
started and sealed the first one's file. Waits are ceilings on socket reads or `/healthz` polls,
never sleeps: the receivers here run with 1-second timeouts, the ceilings are 20 seconds and more.
"""

from __future__ import annotations

import resource
import socket
import struct
from collections import Counter
from pathlib import Path

import httpx
import pytest

from pipelines.webhooks.exports import sealed_files
from tests.webhooks import samples as s
from tests.webhooks.receiver_process import Receiver, signed_headers

CEILING = 20.0  # seconds a test waits for the receiver to close a connection; its timeouts are 1 s


def _body(n: int, pad: int = 0) -> bytes:
    return s.line(s.changes(("marketing_message_echoes", s.echo(n, text="x" * pad))))


def _open(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=CEILING)
    if data:
        sock.sendall(data)
    return sock


def _head(length: int) -> bytes:
    return f"POST /webhooks HTTP/1.1\r\nHost: receiver\r\nContent-Length: {length}\r\n\r\n".encode()


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the receiver sends until it closes the connection; fails after CEILING seconds."""
    received = b""
    with sock:
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        except TimeoutError:
            raise AssertionError(f"still open after {CEILING} s") from None
    return received


def _status(response: bytes) -> int | None:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None


def _stored(folder: Path) -> list[bytes]:
    return [line for path in sealed_files(folder) for line in path.read_bytes().splitlines()]


def _server_lines(receiver: Receiver) -> list[str]:
    return [line for line in receiver.stderr if "listening on" not in line]


@pytest.fixture
def receiver(home: Path, request):
    started = Receiver(home, *getattr(request, "param", ())).wait_ready()
    yield started
    started.kill()


@pytest.mark.parametrize("receiver", [("--header-timeout", "1", "--body-timeout", "1")], indirect=True)
def test_stalled_clients_are_closed_within_the_timeouts_while_signed_posts_get_200(receiver, home):
    stalled = ([_open(receiver.port, _head(1000) + b'{"obj') for _ in range(20)]  # mid-body
               + [_open(receiver.port, b"POST /webhooks HTTP/1.1\r\nHost: rec") for _ in range(20)]  # mid-headers
               + [_open(receiver.port, b"") for _ in range(10)])  # connected, silent
    with httpx.Client(base_url=receiver.url, timeout=CEILING) as client:
        statuses = [client.post("/webhooks", content=_body(n), headers=signed_headers(_body(n))).status_code
                    for n in range(20)]
    assert statuses == [200] * 20
    answers = Counter(_status(_until_closed(sock)) for sock in stalled)
    assert answers == {408: 20, None: 30}  # the body timeout answers; the header timeout just closes
    assert receiver.stop() in (0, -15)
    assert sorted(_stored(home / "exports" / "webhooks")) == sorted(_body(n) for n in range(20))
    assert _server_lines(receiver) == []


def test_endless_headers_are_cut_off(receiver):
    """llhttp (httptools) keeps every header line it is sent; the receiver closes the connection
    once a request's headers pass 64 KiB."""
    sock = _open(receiver.port, b"POST /webhooks HTTP/1.1\r\n")
    line = b"X-Padding: " + b"x" * 1000 + b"\r\n"
    sent = 0
    with pytest.raises((BrokenPipeError, ConnectionResetError)):
        while sent < 256 * 1024 * 1024:  # a ceiling: the receiver stops reading long before
            sock.sendall(line)
            sent += len(line)
    sock.close()
    assert sent < 32 * 1024 * 1024  # 64 KiB read, the rest what socket buffers took meanwhile
    assert receiver.stop() in (0, -15)


def _two_hundred_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))


def test_more_stalled_connections_than_descriptors_never_break_the_receiver(home):
    """Under a 200-descriptor limit the receiver serves at most 120 connections (the rest get a quick
    503, or are closed on arrival past 136), so it never runs out of descriptors; once the stalled
    clients are gone, signed POSTs get 200 again."""
    receiver = Receiver(home, "--header-timeout", "1", "--body-timeout", "1",
                        preexec_fn=_two_hundred_descriptors).wait_ready()
    try:
        stalled = [_open(receiver.port, _head(1000) + b'{"obj') for _ in range(230)]
        body = _body(1)
        try:
            during = httpx.post(f"{receiver.url}/webhooks", content=body, headers=signed_headers(body),
                                timeout=CEILING).status_code
        except httpx.TransportError:
            during = None  # closed on arrival: the receiver was at its connection cap
        answers = Counter(_status(_until_closed(sock)) for sock in stalled)
        with httpx.Client(base_url=receiver.url, timeout=CEILING) as client:
            after = [client.post("/webhooks", content=_body(n), headers=signed_headers(_body(n))).status_code
                     for n in range(10)]
        assert receiver.stop() in (0, -15)
    finally:
        receiver.kill()
    assert during in (503, None)  # busy, answered or refused at once, never left waiting: Meta retries
    assert set(answers) <= {408, 503, None} and answers[408] <= 120  # None: closed on arrival
    assert after == [200] * 10
    # uvicorn's warning for each refused request, let through once a minute
    assert _server_lines(receiver) == ["WARNING:  Exceeded concurrency limit."]


@pytest.mark.parametrize(
    "receiver", [("--max-unsigned-bytes", "65536", "--max-body-bytes", "65536", "--body-timeout", "600")],
    indirect=True)
def test_unverified_bytes_over_the_budget_get_503_before_the_body_is_sent(receiver):
    # each declares 25,000 bytes, which still fits when it arrives, and sends 20,000 of them
    holding = [_open(receiver.port, _head(25_000) + b"x" * 20_000) for _ in range(3)]
    receiver.wait_until(lambda health: health["unverified_bytes"] == 60_000, "the three partial bodies are read")
    # 60,000 + 10,000 > 65,536: answered from the declared length alone, the body never sent
    assert _status(_until_closed(_open(receiver.port, _head(10_000)))) == 503
    small = _body(1)  # 60,000 + its length still fits
    assert httpx.post(f"{receiver.url}/webhooks", content=small, headers=signed_headers(small)).status_code == 200
    for sock in holding:
        sock.close()
    receiver.wait_until(lambda health: health["unverified_bytes"] == 0, "the budget is released")
    large = _body(2, pad=10_000)
    assert httpx.post(f"{receiver.url}/webhooks", content=large, headers=signed_headers(large)).status_code == 200
    assert receiver.stop() in (0, -15)
    assert _server_lines(receiver) == []


@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_client_that_leaves_mid_body_logs_at_most_one_line(receiver, how):
    sock = _open(receiver.port, _head(1000) + b'{"object": "page"')
    receiver.wait_until(lambda health: health["unverified_bytes"] == 17, "the partial body is read")
    if how == "reset":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    receiver.wait_until(lambda health: health["unverified_bytes"] == 0, "the receiver saw the client leave")
    assert receiver.stop() in (0, -15)
    lines = _server_lines(receiver)
    assert len(lines) <= 1 and not any("Traceback" in line for line in lines), lines


def test_a_second_receiver_on_the_same_folder_refuses_to_start(receiver, home, capsys, monkeypatch):
    from pipelines.cli import main
    from tests.webhooks.receiver_process import SECRET, TOKEN

    body = _body(1)
    assert httpx.post(f"{receiver.url}/webhooks", content=body, headers=signed_headers(body)).status_code == 200
    folder = home / "exports" / "webhooks"
    (live,) = folder.glob("*.open")
    monkeypatch.setenv("META_APP_SECRET", SECRET)
    monkeypatch.setenv("META_WEBHOOK_VERIFY_TOKEN", TOKEN)
    assert main(["webhooks", "serve", "--port", "0"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"mmlens: another receiver is already writing to {folder}; stop it first, or give each receiver its own --instance"]
    assert live.exists()  # the first receiver's file was not sealed under it
    again = _body(2)
    assert httpx.post(f"{receiver.url}/webhooks", content=again, headers=signed_headers(again)).status_code == 200
    assert receiver.stop() in (0, -15)
    assert _stored(folder) == [body, again]
