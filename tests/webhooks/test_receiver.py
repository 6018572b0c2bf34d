"""The receiver in-process: handshake, signature gate, size limit, durable acknowledgement."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.limits import Limits
from pipelines.webhooks.receiver import create_app
from pipelines.webhooks.signature import sign
from tests.webhooks import samples as s

SECRET, TOKEN = "app-secret-for-tests", "verify-token-for-tests"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "exports" / "webhooks"


@pytest.fixture
def client(folder: Path):
    app = create_app(app_secret=SECRET, verify_token=TOKEN, folder=folder, limits=Limits(max_body_bytes=4096))
    with TestClient(app) as c:
        yield c


def _stored(folder: Path) -> list[bytes]:
    return [line for path in sealed_files(folder) for line in path.read_bytes().splitlines()] + [
        line for path in folder.glob("*.open") for line in path.read_bytes().splitlines()]


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}, 200, "1158201444"),
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}, 403, "forbidden"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": TOKEN, "hub.challenge": "1"}, 403, "forbidden"),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, 403, "forbidden"),
        ({"hub.mode": "subscribe", "hub.verify_token": TOKEN}, 403, "forbidden"),
    ],
)
def test_handshake(client, params, status, text):
    response = client.get("/webhooks", params=params)
    assert (response.status_code, response.text) == (status, text)


def test_signed_post_is_stored_verbatim_on_one_line(client, folder):
    body = b'{"object":"page",\n"entry":[{"id":"1","time":1,"changes":[{"field":"marketing_message_reads","value":{"t":"\\u00e4"}}]}]}'
    response = client.post("/webhooks", content=body, headers={"X-Hub-Signature-256": sign(body, SECRET)})
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert _stored(folder) == [body.replace(b"\n", b" ")]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature-256": "sha1=abc"},
     {"X-Hub-Signature-256": sign(b"other body", SECRET)}],
    ids=["missing", "invalid", "wrong-prefix", "other-body"],
)
def test_bad_signature_gets_403_and_nothing_is_written(client, folder, headers):
    response = client.post("/webhooks", content=s.line(s.changes(("marketing_message_echoes", s.echo()))),
                           headers=headers)
    assert response.status_code == 403
    assert _stored(folder) == []


def test_body_over_the_limit_gets_413(client, folder):
    body = b'{"pad":"' + b"x" * 5000 + b'"}'
    response = client.post("/webhooks", content=body, headers={"X-Hub-Signature-256": sign(body, SECRET)})
    assert response.status_code == 413
    assert _stored(folder) == []


def test_health_and_shutdown_seals(folder):
    app = create_app(app_secret=SECRET, verify_token=TOKEN, folder=folder)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "unverified_bytes": 0}
        body = s.line(s.changes(("marketing_message_echoes", s.echo())))
        assert client.post("/webhooks", content=body, headers={"X-Hub-Signature-256": sign(body, SECRET)}).status_code == 200
    (path,) = sealed_files(folder)
    assert path.read_bytes() == body + b"\n"
    assert not list(folder.glob("*.open"))


@pytest.mark.parametrize("env", [{}, {"META_APP_SECRET": SECRET}, {"META_WEBHOOK_VERIFY_TOKEN": TOKEN}])
def test_serve_without_its_secrets_is_a_configuration_error(monkeypatch, capsys, env):
    from pipelines.cli import main

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["webhooks", "serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "required for `mmlens webhooks serve`" in err and SECRET not in err


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--port", "-1"], 2, "mmlens: --port: -1 is not between 0 and 65535"),
    (["--max-body-bytes", "0"], 2, "mmlens: --max-body-bytes: 0 is not a positive number of bytes"),
    (["--max-connections", "0"], 2, "mmlens: --max-connections: 0 is not a positive number"),
    (["--header-timeout", "0"], 2, "mmlens: --header-timeout: 0.0 is not a number of seconds between 0 and 3600"),
    (["--body-timeout", "nan"], 2, "mmlens: --body-timeout: nan is not a number of seconds between 0 and 3600"),
    (["--max-unsigned-bytes", "1000", "--max-body-bytes", "2000"], 2,
     "mmlens: --max-unsigned-bytes: 1000 is less than --max-body-bytes (2000), so the largest allowed body "
     "could never be read"),
    (["--port", "{busy}"], 1, "mmlens: cannot listen on 127.0.0.1:{busy}: Address already in use"),
])
def test_serve_with_a_bad_port_or_limit_is_a_one_line_error(monkeypatch, capsys, args, code, message):
    from pipelines.cli import main

    monkeypatch.setenv("META_APP_SECRET", SECRET)
    monkeypatch.setenv("META_WEBHOOK_VERIFY_TOKEN", TOKEN)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        assert main(["webhooks", "serve", *[a.replace("{busy}", port) for a in args]]) == code
    assert capsys.readouterr().err.strip() == message.replace("{busy}", port)


@pytest.fixture
def restore_gc():
    import gc

    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_tune_gc_freezes_what_exists_and_collects_the_young_generation_less_often(restore_gc):
    import gc

    from pipelines.webhooks.receiver import GC_YOUNG_THRESHOLD, tune_gc

    gc.unfreeze()
    default = gc.get_threshold()
    tune_gc()
    assert gc.get_freeze_count() > 1000  # modules, classes, functions: all there before the call
    assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *default[1:])
    assert GC_YOUNG_THRESHOLD > default[0]  # above this interpreter's default


@pytest.mark.parametrize("starts", [True, False])
def test_serve_tunes_gc_after_loading_uvicorn_and_fails_when_the_server_does_not_start(
        folder, monkeypatch, restore_gc, starts):
    import gc

    import uvicorn

    from pipelines.webhooks.receiver import GC_YOUNG_THRESHOLD, serve

    seen = {}

    def fake_run(server, sockets=None):
        seen.update(loaded=server.config.loaded, threshold=gc.get_threshold()[0], frozen=gc.get_freeze_count(),
                    access_log=server.config.access_log, port=server.config.port)
        server.started = starts

    gc.unfreeze()
    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    kwargs = {"app_secret": SECRET, "verify_token": TOKEN, "folder": folder, "host": "127.0.0.1", "port": 8799}
    if starts:
        serve(**kwargs)
    else:
        with pytest.raises(SystemExit) as exited:
            serve(**kwargs)
        assert exited.value.code == 3
    assert seen["loaded"] and seen["threshold"] == GC_YOUNG_THRESHOLD and seen["frozen"] > 1000
    assert (seen["access_log"], seen["port"]) == (False, 8799)  # the handshake's query carries the token


def _body(n: int) -> bytes:
    return s.line(s.changes(("marketing_message_echoes", s.echo(n))))


def _post(client, n: int):
    return client.post("/webhooks", content=_body(n), headers={"X-Hub-Signature-256": sign(_body(n), SECRET)})


def test_a_removed_live_file_fails_the_posts_it_held_then_posts_get_200_again(client, folder):
    assert _post(client, 1).status_code == 200
    client.app.state.journal.current_file.unlink()
    assert _post(client, 2).status_code == 500  # its line went to a file nobody can read
    assert [_post(client, n).status_code for n in (3, 4)] == [200, 200]
    assert client.get("/healthz").status_code == 200
    assert _stored(folder) == [_body(3), _body(4)]


def test_healthz_is_503_while_the_folder_cannot_be_written(client, folder):
    """A folder that is gone, or replaced by a file, is what a load balancer must see as down."""
    folder.rename(folder.with_name("moved"))
    folder.write_bytes(b"")
    assert _post(client, 1).status_code == 500
    response = client.get("/healthz")
    assert (response.status_code, response.json()["status"]) == (503, "storage failure: Not a directory")
    folder.unlink()
    folder.with_name("moved").rename(folder)
    assert client.get("/healthz").status_code == 200
    assert _post(client, 2).status_code == 200


def test_healthz_is_503_while_syncs_fail(client, monkeypatch):
    def eio(fd):
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as broken:
        broken.setattr(os, "fsync", eio)
        broken.setattr(os, "fdatasync", eio)
        assert _post(client, 1).status_code == 500
        response = client.get("/healthz")
        assert (response.status_code, response.json()["status"]) == (503, "storage failure: Input/output error")
    assert client.get("/healthz").status_code == 200
    assert _post(client, 2).status_code == 200



@pytest.mark.parametrize(("soft", "expected"), [(200, 120), (1024, 944), (20_000, 1000), (None, 1000), (10, 1)])
def test_default_max_connections_leaves_descriptors_for_the_journal(monkeypatch, soft, expected):
    """64 descriptors kept for the journal and the process, 16 for connections that get a 503."""
    import resource

    from pipelines.webhooks.limits import default_max_connections

    limit = resource.RLIM_INFINITY if soft is None else soft
    monkeypatch.setattr(resource, "getrlimit", lambda which: (limit, limit))
    assert default_max_connections() == expected


def test_repeated_uvicorn_warnings_are_let_through_once_a_minute():
    import logging

    from pipelines.webhooks.connections import QuietRepeats

    now = [0.0]
    quiet = QuietRepeats(clock=lambda: now[0])

    def record(level: int, text: str) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", level, __file__, 1, text, None, None)

    shown = []
    for second, level, text in [(0, logging.WARNING, "Exceeded concurrency limit."),
                                (1, logging.WARNING, "Exceeded concurrency limit."),
                                (2, logging.WARNING, "Invalid HTTP request received."),
                                (3, logging.ERROR, "Exception in ASGI application"),
                                (4, logging.ERROR, "Exception in ASGI application"),
                                (59, logging.WARNING, "Exceeded concurrency limit."),
                                (60, logging.WARNING, "Exceeded concurrency limit.")]:
        now[0] = second
        if quiet.filter(item := record(level, text)):
            shown.append((second, item.getMessage()))
    assert shown == [(0, "Exceeded concurrency limit."), (2, "Invalid HTTP request received."),
                     (3, "Exception in ASGI application"), (4, "Exception in ASGI application"),
                     (60, "Exceeded concurrency limit. (2 more in the last 60 s not shown)")]
