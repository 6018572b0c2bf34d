"""The simulated Graph API over HTTP: an ASGI app (served by uvicorn) around `GraphApi`.

Each request goes through, in order: the version prefix (`/v25.0/...`; deprecated versions get
code 2635), the access token (`Authorization: Bearer` or `access_token`; missing → 104, wrong →
190), `appsecret_proof` when an app secret is configured (reference §5.5), the usage counters
(`throttle.py`), the seeded fault injector (`faults.py`), then the handlers (`graph_api.py`).
Bodies are compact JSON with ASCII escapes and `\\/`, as Graph writes them, and carry no wall-clock
value, so the same seed and the same requests give byte-identical bodies.

`running_simulator(...)` serves on 127.0.0.1 in a background thread for tests and the demo;
`mmlens simulator serve` runs the same server in the foreground.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl

import uvicorn
from starlette.requests import Request

from pipelines.simulator.config import DEFAULT_ACCESS_TOKEN, SimulatorConfig  # noqa: F401 - re-exported
from pipelines.simulator.errors import SimulatorError
from pipelines.simulator.faults import SERVER_ERROR_HTML, TRANSIENT_ERROR, FaultInjector, request_key
from pipelines.simulator.graph_api import GraphApi, GraphRequest
from pipelines.simulator.objects import GraphError
from pipelines.simulator.throttle import Throttle, usage_headers

DEFAULT_VERSION = (25, 0)
OLDEST_VERSION = (21, 0)
_VERSION = re.compile(r"^v(\d+)\.(\d+)$")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    fault: str | None = None
    content_type: str = "application/json; charset=UTF-8"


def encode(obj: object) -> bytes:
    # Graph escapes non-ASCII and forward slashes; clients must not depend on either.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


class Simulator:
    """The synchronous core: one request in, one `Reply` out (plus the fault to apply)."""

    def __init__(self, config: SimulatorConfig, world=None) -> None:
        if world is None:
            from pipelines.simulator.world import World, WorldSize

            today = config.today or datetime.now(UTC).date()
            world = World(config.seed, config.size or WorldSize(), today)
        self.config = config
        self.faults = FaultInjector(config.seed, config.faults, config.fault_kinds)
        self.throttle = Throttle(config.app_budget, config.account_budget, config.throttle_window_seconds,
                                 clock=config.clock)
        self.api = GraphApi(world, config, self.faults)
        self.lock = threading.Lock()

    def trace_id(self, key: str, attempt: int) -> str:
        digest = hashlib.sha256(f"{self.config.seed}|trace|{key}|{attempt}".encode()).digest()
        return base64.b64encode(digest[:9]).decode().replace("+", "A").replace("/", "B")

    def handle(self, method: str, path: str, params: dict[str, str], authorization: str | None, base_url: str) -> Reply:
        with self.lock:  # one request at a time: counters, runs and attempt numbers stay ordered
            key = request_key(method, path, params)
            attempt = self.faults.next_attempt(key)
            headers: dict[str, str] = {}
            try:
                request = self._authorize(method, path, params, authorization, base_url)
                node = request.parts[0] if request.parts else ""
                account_id = self.api.account_of(node)
                kind = "ads_management"
                if "insights" in request.parts or node in self.api.runs:
                    kind = "ads_insights"
                elif "message_delivery_estimate" in request.parts:
                    kind = "estimate"
                usage = self.throttle.record(account_id, kind)
                headers = usage_headers(usage, account_id, kind)
                if usage.refused is not None:
                    refused = usage.refused
                    raise GraphError(refused.code, refused.message, subcode=refused.subcode, is_transient=True)
                fault = self.faults.decide(key, attempt)
                if fault == "server_error":
                    return Reply(500, SERVER_ERROR_HTML.encode(), headers, fault, "text/html; charset=utf-8")
                if fault == "transient":
                    body = {"error": dict(TRANSIENT_ERROR, fbtrace_id=self.trace_id(key, attempt))}
                    return Reply(500, encode(body), headers, fault)
                return Reply(200, encode(self.api.dispatch(request)), headers, fault)
            except GraphError as error:
                return Reply(error.status, encode(error.envelope(self.trace_id(key, attempt))), headers)
            except Exception:  # a simulator bug still answers in Graph's shape, and is logged
                logger.exception("simulator failed on %s %s", method, path)
                error = GraphError(1, "An unknown error has occurred.", status=500)
                return Reply(500, encode(error.envelope(self.trace_id(key, attempt))), headers)

    def _authorize(self, method, path, params, authorization, base_url) -> GraphRequest:
        parts = [p for p in path.split("/") if p]
        version = DEFAULT_VERSION
        if parts and _VERSION.match(parts[0]):
            match = _VERSION.match(parts.pop(0))
            version = (int(match.group(1)), int(match.group(2)))
            if version < OLDEST_VERSION:
                raise GraphError(
                    2635,
                    f"(#2635) You are calling a deprecated version of the Ads API. Please update to the latest "
                    f"version: v{DEFAULT_VERSION[0]}.{DEFAULT_VERSION[1]}.",
                )
        token = params.get("access_token")
        if authorization and authorization.split(" ", 1)[0].lower() in ("bearer", "oauth"):
            token = authorization.split(" ", 1)[1].strip() if " " in authorization else ""
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        if not hmac.compare_digest(token.encode(), self.config.access_token.encode()):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.config.app_secret:
            proof = params.get("appsecret_proof")
            if not proof:
                raise GraphError(
                    100, "API calls from the server require an appsecret_proof argument", type="GraphMethodException"
                )
            expected = hmac.new(self.config.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(proof.lower().encode(), expected.encode()):
                raise GraphError(
                    100, "Invalid appsecret_proof provided in the API argument", type="GraphMethodException"
                )
        kept = {k: v for k, v in params.items() if k != "access_token"}
        url = f"{base_url}/{path.strip('/')}"
        return GraphRequest(method.upper(), version, tuple(parts), kept, url, token)


class SimulatorApp:
    """The ASGI callable: parses the HTTP request, asks `Simulator`, writes the reply or the fault."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        params = dict(request.query_params)
        if request.method in ("POST", "DELETE"):
            params.update(await _body_params(request))
        config = self.simulator.config
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        base_url = f"{request.url.scheme}://{request.url.netloc}"
        reply = self.simulator.handle(
            request.method, request.url.path, params, request.headers.get("authorization"), base_url
        )
        if reply.fault == "slow":
            await asyncio.sleep(config.slow_seconds)
        body = reply.body
        if reply.fault == "truncated":
            body = body[: max(1, len(body) // 2)]
        headers = [(b"content-type", reply.content_type.encode())]
        headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        length = len(reply.body) if reply.fault == "dropped" else len(body)
        headers.append((b"content-length", str(length).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        if reply.fault == "dropped":
            # Half the promised bytes, then the connection goes away (the server closes it).
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise ConnectionAbortedError("simulated dropped connection")
        await send({"type": "http.response.body", "body": body})


async def _body_params(request: Request) -> dict[str, str]:
    """POST parameters: form-encoded (what the SDKs send) or a JSON object."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}", parse_int=str, parse_float=str)
        except json.JSONDecodeError:
            return {}
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def make_server(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> tuple[uvicorn.Server, socket.socket, str]:
    """A uvicorn server on an already-bound socket (so port 0 resolves) and its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening before the URL is announced: a client that connects as soon as it reads the URL is
    # queued in the backlog until uvicorn accepts it, never refused.
    sock.listen(2048)
    config = uvicorn.Config(
        SimulatorApp(simulator),
        log_level="critical",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    bound_port = sock.getsockname()[1]
    return uvicorn.Server(config), sock, f"http://{host}:{bound_port}"


@contextlib.contextmanager
def running_simulator(
    seed: int = 7,
    size=None,
    today: date | None = None,
    faults: float = 0.0,
    latency_ms: int = 0,
    access_token: str = DEFAULT_ACCESS_TOKEN,
    app_secret: str | None = None,
    port: int = 0,
    world=None,
    **options,
) -> Iterator[str]:
    """Serve the simulator on 127.0.0.1 in a background thread; yields the base URL (no version).

    `options` are further `SimulatorConfig` fields (throttle budgets, `slow_seconds`, ...);
    `world` replaces the seeded world (tests).
    """
    config = SimulatorConfig(
        seed=seed, size=size, today=today, faults=faults, latency_ms=latency_ms,
        access_token=access_token, app_secret=app_secret, **options,
    )
    with serving(Simulator(config, world=world), port=port) as base_url:
        yield base_url


@contextlib.contextmanager
def serving(simulator: Simulator, port: int = 0) -> Iterator[str]:
    """Serve this simulator (a subclass too: benchmarks and tests count its requests) on 127.0.0.1
    in a background thread; yields the base URL (no version)."""
    server, sock, base_url = make_server(simulator, port=port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="mmlens-simulator", daemon=True)
    thread.start()
    _wait_started(server, thread)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def serve_forever(config: SimulatorConfig, world=None, host: str = "127.0.0.1", port: int = 0, announce=print) -> None:
    """Serve in the foreground until interrupted; `announce` gets the base URL once uvicorn accepts
    connections (the socket listens from the start, so even an early client is queued, not refused)."""
    try:
        server, sock, base_url = make_server(Simulator(config, world=world), host=host, port=port)
    except OSError as error:
        raise SimulatorError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    # uvicorn runs in this (the main) thread so that it handles SIGINT/SIGTERM itself; a watcher
    # announces the URL once uvicorn reports that it serves.
    def announce_when_started() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.01)
        announce(base_url)

    watcher = threading.Thread(target=announce_when_started, name="mmlens-simulator-announce", daemon=True)
    watcher.start()
    try:
        server.run(sockets=[sock])
    finally:
        server.should_exit = True
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    """Block until uvicorn has started serving (its `started` flag), or fail if its thread died."""
    while not server.started:
        if not thread.is_alive():
            raise SimulatorError("the simulator failed to start")
        thread.join(0.01)
