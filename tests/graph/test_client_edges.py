"""The transport's edges: secrets cut in two, credentials in the HTTP libraries' logs, redirects,
undecodable bodies, refused connections and 4xx answers without an error envelope."""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import traceback
from datetime import date

import httpx
import pytest

from pipelines.errors import UsageError
from pipelines.graph.accounts import fetch_account
from pipelines.graph.client import GraphClient, RetryPolicy
from pipelines.graph.errors import GraphAuthError, GraphError, parse_error
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.graph.helpers import SECRET, TOKEN, Recorder, client_for, error, ok

# appsecret_proof of TOKEN keyed with SECRET, written out rather than computed by the client.
PROOF = hmac.new(b"app-secret-abc", b"canary-token-0123456789", hashlib.sha256).hexdigest()


def fragments(secret: str, size: int = 8) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def everything_said(error: BaseException) -> str:
    """The message, the args, the info and the whole chain of causes and contexts, as logged."""
    parts = ["".join(traceback.format_exception(error)), repr(error.args)]
    seen = error
    while seen is not None:
        parts += [repr(seen), repr(getattr(seen, "info", None)), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


@pytest.mark.parametrize(("secret", "before"), [(TOKEN, 289), (TOKEN, 296), (SECRET, 293), (PROOF, 280)])
def test_a_secret_straddling_the_cut_leaks_no_fragment(secret, before):
    """Meta's message is cut to 300 characters: a secret across the cut was half kept (16 of 32)."""
    message = "x" * before + secret + " and some more text after it"
    client, _ = client_for(lambda r: error(190, message=message), app_secret=SECRET)
    with pytest.raises(GraphAuthError) as raised:
        client.get("act_1", account="1")
    said = everything_said(raised.value)
    assert raised.value.info.message == ("x" * before + "[redacted] and some more")[:300]
    for piece in fragments(secret):
        assert piece not in said, piece


def test_parse_error_redacts_before_it_cuts():
    body = {"error": {"code": 190, "message": "y" * 290 + "access_token=EAABsecretsecretsecret1234 end"}}
    info = parse_error(body, 400, (TOKEN,))
    assert info.message == "y" * 290 + "access_tok"
    assert "EAABsecr" not in info.message
    info = parse_error({"error": {"code": 190, "message": "z" * 295 + TOKEN}}, 400, (TOKEN,))
    assert info.message == "z" * 295 + "[reda"


def test_http_library_logs_carry_no_credentials(caplog):
    """httpx logs each URL at INFO and httpcore its traffic at DEBUG; the URL carries the proof."""
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    world = World(seed=3, size=WorldSize(accounts=1, campaigns_per_account=1, days=3, sends_per_campaign_day=2),
                  today=date(2026, 6, 1))
    account = world.accounts[0].account_id
    with running_simulator(seed=3, world=world, today=date(2026, 6, 1), access_token=TOKEN, app_secret=SECRET) as url:
        with GraphClient(url, "v25.0", TOKEN, SECRET) as client:
            fetch_account(client, account)
    records = [r for r in caplog.records if r.name.split(".")[0] in ("httpx", "httpcore")]
    text = "\n".join(r.getMessage() for r in records)
    assert any(r.name == "httpx" for r in records) and any(r.name.startswith("httpcore.") for r in records)
    assert "appsecret_proof=[redacted]" in text
    for needle in (PROOF, TOKEN, SECRET):
        assert needle not in text and needle not in caplog.text


def test_a_redirect_is_one_line_and_not_retried():
    rec = Recorder(lambda r: httpx.Response(302, headers={"location": "https://elsewhere.test/"}, text="<html>moved</html>"))
    client, _ = client_for(rec)
    with pytest.raises(UsageError) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == (
        "act_1: the Graph API answered HTTP 302 (a redirect, not followed); check META_GRAPH_URL (https, the exact host)"
    )
    assert len(rec.requests) == 1


def _broken_gzip_then_ok():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"this is not gzip")
        return ok({"id": "act_1"})

    return handler


def test_a_body_that_does_not_decompress_is_retried():
    client, slept = client_for(_broken_gzip_then_ok())
    assert client.get("act_1", account="1") == {"id": "act_1"}
    assert client.stats.by_kind == {"transport:DecodingError": 1} and len(slept) == 1


@pytest.mark.parametrize(
    ("response", "status"),
    [
        (lambda r: httpx.Response(404, text="<html><body>Not Found</body></html>"), 404),
        (lambda r: httpx.Response(404, json={"detail": "no such route"}), 404),
        (lambda r: httpx.Response(403, text=""), 403),
        (lambda r: httpx.Response(400, json={"error": "bad"}), 400),
    ],
)
def test_a_4xx_without_a_graph_error_is_not_retried(response, status):
    rec = Recorder(response)
    client, slept = client_for(rec)
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == f"act_1: the Graph API answered HTTP {status} without a Graph error"
    assert len(rec.requests) == 1 and slept == []


@pytest.mark.parametrize("status", [429, 408])
def test_a_429_or_408_without_a_graph_error_is_retried(status):
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        return httpx.Response(status, text="<html>slow down</html>") if calls["n"] == 1 else ok({"id": "act_1"})

    client, _ = client_for(handler)
    assert client.get("act_1", account="1") == {"id": "act_1"}
    assert client.stats.by_kind == {f"http_{status}": 1}


def test_a_refused_connection_fails_after_a_few_attempts_with_one_line(caplog):
    """A real refused port (bound, not listening); the default policy; sleeps recorded, not slept."""
    caplog.set_level(logging.DEBUG)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        slept: list[float] = []
        client = GraphClient(f"http://127.0.0.1:{port}", "v25.0", TOKEN, SECRET, retry=RetryPolicy(),
                             sleep=slept.append, seed=5)
        with client, pytest.raises(GraphError) as raised:
            client.get("act_7", account="7")
    message = str(raised.value)
    assert message.startswith(f"act_7: cannot connect to the Graph API at http://127.0.0.1:{port} (")
    assert message.endswith(", 3 attempts); check META_GRAPH_URL and the network") and "\n" not in message
    assert client.stats.requests == 3 and len(slept) == 2
    assert sum(slept) <= 1 + 2, "at most three seconds of backoff"
    warnings = [r.getMessage() for r in caplog.records if r.name == "mmlens.graph" and r.levelno == logging.WARNING]
    assert warnings == [
        f"act_7: Graph call failed (transport:ConnectError); attempt {n} of 3, trying again" for n in (1, 2)
    ]
    for needle in (TOKEN, SECRET, PROOF):
        assert needle not in caplog.text and needle not in everything_said(raised.value)


def test_every_retry_logs_one_warning_without_secrets(caplog):
    caplog.set_level(logging.WARNING, logger="mmlens.graph")
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return error(2, message=f"Service temporarily unavailable for {TOKEN}", is_transient=True)
        return ok({"id": "act_1"})

    client, _ = client_for(handler, app_secret=SECRET)
    client.get("act_1", account="1")
    assert [r.getMessage() for r in caplog.records if r.name == "mmlens.graph"] == [
        "act_1: Graph call failed (transient, code 2); attempt 1 of 5, trying again"
    ]
