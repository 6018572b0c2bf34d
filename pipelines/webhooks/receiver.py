"""The webhook receiver: a Starlette app served by uvicorn (`mmlens webhooks serve`).

- `GET /webhooks`: Meta's verification handshake (`hub.mode=subscribe`, `hub.verify_token`,
  `hub.challenge` echoed verbatim); a wrong token gets 403.
- `POST /webhooks`: `X-Hub-Signature-256` checked over the raw bytes; missing or wrong: 403 and
  nothing is written. Before that the body is read under the limits of `limits.py` (`body.py`):
  over `max_body_bytes` 413, not complete within `body_timeout` 408, over the budget of unverified
  bytes 503 (Meta retries), a client that leaves mid-body one INFO line. 200 only once the body is
  fsynced to the journal; if the disk fails, 500 so that Meta retries (it must get 200 within 5 s
  and unsubscribes the app after an hour of failures).
- `GET /healthz`: 200 `{"status": "ok"}` while the journal's folder takes a synced write, else 503
  with the reason, so a load balancer stops sending; `unverified_bytes` is the budget in use.
Access logs are off: the handshake's query string carries the verify token.

`serve` also tunes Python's cyclic garbage collector (`tune_gc`): profiled under load, the
default settings spent about a quarter of the server's CPU in collections and paused every
request in flight for up to 80 ms on each full collection.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
import logging
import socket
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from pipelines.errors import MmlensError
from pipelines.webhooks.body import Refused, UnsignedBudget, unsigned_body
from pipelines.webhooks.connections import QuietRepeats, guarded_protocol
from pipelines.webhooks.journal import Journal
from pipelines.webhooks.limits import MAX_HEADER_BYTES, Limits
from pipelines.webhooks.signature import HEADER, verify

# Allocations (minus deallocations) of container objects between two young-generation collections;
# Python 3.11's default is 700.
GC_YOUNG_THRESHOLD = 10_000
log = logging.getLogger("mmlens.webhooks")


def create_app(*, app_secret: str, verify_token: str, folder: Path, limits: Limits | None = None,
               prefix: str = "webhooks") -> Starlette:
    """The receiver; its journal writes `prefix-*.ndjson` files under `folder` (normally
    `MMLENS_HOME/exports/webhooks`, or its subfolder of one instance: `instance.py`)."""
    limits = limits or Limits()
    journal = Journal(folder, prefix=prefix)
    budget = UnsignedBudget(limits.max_unsigned_bytes)

    async def handshake(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        challenge = params.get("hub.challenge")
        if (params.get("hub.mode") == "subscribe" and challenge is not None
                and hmac.compare_digest(token.encode(), verify_token.encode())):
            return PlainTextResponse(challenge)
        return PlainTextResponse("forbidden", status_code=403)

    async def receive(request: Request) -> Response:
        try:
            async with unsigned_body(request, limits, budget) as body:
                signed = verify(body, request.headers.get(HEADER), app_secret)
        except Refused as refused:
            log.info("POST refused (%d): %s", refused.status, refused.reason)
            return refused.response()
        if not signed:
            return PlainTextResponse("invalid signature", status_code=403)
        try:
            await journal.append(body)
        except OSError as error:
            log.error("could not store a webhook body: %s", error.strerror or type(error).__name__)
            return PlainTextResponse("storage failure", status_code=500)
        return PlainTextResponse("EVENT_RECEIVED")

    async def health(request: Request) -> Response:
        problem = await journal.storage_problem()
        status = {"status": "ok" if problem is None else f"storage failure: {problem}",
                  "unverified_bytes": budget.held}
        return JSONResponse(status, status_code=200 if problem is None else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        sealed = await journal.start()
        if sealed:
            log.warning("sealed %d file(s) left open by an earlier run", len(sealed))
        try:
            yield
        finally:
            await journal.close()

    app = Starlette(
        routes=[
            Route("/webhooks", handshake, methods=["GET"]),
            Route("/webhooks", receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.journal = journal
    app.state.limits = limits
    return app


def tune_gc() -> None:
    """Keep the cyclic garbage collector off the request path of a long-running server.

    - Freeze what exists at startup (modules, settings, the app): it lives as long as the process,
      yet every full collection walked all of it (about 44,500 objects behind `mmlens webhooks
      serve`, 125,000 while it imported Dagster), stalling the event loop each time: measured
      again without Dagster, nine full collections per 20,000 POSTs of up to 130 ms on a busy
      machine, against 6-8 ms frozen (`bench/receiver_gc.py`).
    - Collect the young generation less often: a request waiting for its fsync holds its
      coroutine frames and scope, so with the default threshold almost every young collection
      scanned and promoted the objects of the requests in flight (one every ~15 requests at
      concurrency 64) and so fed more full collections. Objects are still freed by reference
      counting at once; only cyclic garbage waits for a collection, which still runs, less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def run_server(app, *, host: str, port: int, announce: Callable[[str], None] | None = None,
               limits: Limits | None = None) -> None:
    """Serve `app` with uvicorn (default loop and HTTP implementation: uvloop and httptools when
    installed, wrapped by `connections.guarded_protocol`) under `limits` (`app.state.limits`, else
    the defaults) after `tune_gc`; the benchmark's bare endpoint runs through here too, so both sit
    on the same stack with the same options. The socket is bound first, so an address in use is
    a one-line error; `announce` gets the URL once it is bound, before the app starts up."""
    import uvicorn

    limits = limits or getattr(getattr(app, "state", None), "limits", None) or Limits()
    sock = _listen(host, port)
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            timeout_graceful_shutdown=10, http=guarded_protocol(limits),
                            limit_concurrency=limits.max_connections, timeout_keep_alive=limits.keep_alive_timeout,
                            h11_max_incomplete_event_size=MAX_HEADER_BYTES)
    config.load()  # imports the protocol classes, so they are frozen with the rest
    logging.getLogger("uvicorn.error").addFilter(QuietRepeats())
    tune_gc()
    server = uvicorn.Server(config)
    if announce is not None:
        bound_host, bound_port = sock.getsockname()[:2]
        announce(f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}")
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(3)  # what `uvicorn.run` does when startup fails


def _listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port), as uvicorn would bind it."""
    sock = socket.socket(family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise MmlensError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)
    return sock


def serve(*, app_secret: str, verify_token: str, folder: Path, host: str, port: int,
          limits: Limits | None = None, announce: Callable[[str], None] | None = None, prefix: str = "webhooks") -> None:
    """Run the receiver until SIGINT/SIGTERM; shutdown writes what is pending and seals.
    The folder's lock is taken before the port is bound: a second receiver on the same folder is
    a one-line usage error. `announce` gets the server's URL once its socket is bound."""
    app = create_app(app_secret=app_secret, verify_token=verify_token, folder=folder, limits=limits, prefix=prefix)
    app.state.journal.lock()
    try:
        run_server(app, host=host, port=port, announce=announce)
    finally:
        app.state.journal.unlock()  # already released by a clean shutdown; not when startup failed
