"""The Graph API transport: auth, appsecret_proof, retries and pacing (meta-api.md §5).

One `GraphClient` serves every ad account of a run; it is thread-safe, so accounts are pulled
concurrently. The token travels only in the `Authorization` header: it never appears in a URL we
build, in a log line or in an exception (`access_token` is also stripped from `paging.next` URLs).

Retried: the documented transient and throttling codes (errors.py), HTTP 5xx, 408 and 429, 200s
whose body is not complete JSON (truncated), bodies that fail to decompress and dropped
connections; every retry logs one warning line on the `mmlens.graph` logger. A server that
refuses connections is tried `connect_attempts` times only (a few seconds), since a wrong
META_GRAPH_URL or a network outage does not heal in minutes of backoff. Not retried: everything
else, in particular auth (190, 102) and permission (10, 200-299) errors, other 4xx answers
(with or without an error envelope) and redirects, which fail at once with one line naming the
account and the code or status.

httpx logs every request URL (INFO) and httpcore its traffic (DEBUG); the URL carries
`appsecret_proof`, so `logs.py` redacts credentials on those loggers at import time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from pipelines.graph.errors import GraphError, GraphUnreachableError, GraphUsageError, Kind, error_for, parse_error, redact
from pipelines.graph.logs import redact_http_logs
from pipelines.graph.retry import CallStats, Retry, RetryPolicy, without_envelope
from pipelines.graph.throttle import Pacer, PacingPolicy, parse_usage

USER_AGENT = "mmlens-graph-client"
# Failures to open a connection: the request never left, and trying for minutes does not help.
CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)
log = logging.getLogger("mmlens.graph")
redact_http_logs()


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, hex (§5.5)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def decode_json(text: str) -> Any:
    """JSON with decimals kept exact: a float never touches money or ids."""
    return json.loads(text, parse_float=Decimal)


class Cancelled(GraphError):
    """The run is stopping; raised in the other accounts' threads after one account failed."""


class GraphClient:
    """Calls `<base_url>/<api_version>/<path>`; `get`/`post` return decoded JSON bodies."""

    def __init__(
        self,
        base_url: str,
        api_version: str,
        access_token: str,
        app_secret: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        pacing: PacingPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        self._root = f"{base_url.rstrip('/')}/{api_version}"
        self._origin = urlsplit(self._root)._replace(path="", query="", fragment="")
        self._token = access_token
        self._secret = app_secret
        self._proof = appsecret_proof(access_token, app_secret) if app_secret else None
        self.retry = retry or RetryPolicy()
        # Waits end early when the run is cancelled (another account failed): see `cancel()`.
        self._cancelled = threading.Event()
        sleep = sleep or self._interruptible_sleep
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.pacer = Pacer(pacing, clock=clock, sleep=sleep)
        self.stats = CallStats()
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.retry.timeout_seconds, connect=10.0),
            headers={"Authorization": f"Bearer {access_token}", "User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def _interruptible_sleep(self, seconds: float) -> None:
        self._cancelled.wait(seconds)

    def cancel(self) -> None:
        """Stop every thread using this client at its next call or wait (a run is failing)."""
        self._cancelled.set()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (self._token, self._secret, self._proof)

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None) -> Any:
        return self._call("GET", self._url(path), dict(params or {}), account)

    def post(self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None) -> Any:
        return self._call("POST", self._url(path), dict(params or {}), account)

    def get_next(self, next_url: str, *, account: str | None = None) -> Any:
        """Follow a `paging.next` URL: same origin only, its `access_token` dropped (we use the header)."""
        parts = urlsplit(next_url)
        if (parts.scheme, parts.netloc) != (self._origin.scheme, self._origin.netloc):
            raise GraphError(f"act_{account}: paging.next points to another host; refusing to send the token there")
        dropped = ("access_token", "appsecret_proof")
        params = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in dropped}
        return self._call("GET", parts._replace(query="", fragment="").geturl(), params, account)

    def _url(self, path: str) -> str:
        return f"{self._root}/{path.lstrip('/')}"

    def _call(self, method: str, url: str, params: dict[str, Any], account: str | None) -> Any:
        if method == "GET":
            params = {k: _encode(v) for k, v in params.items()}
        if self._proof:
            params["appsecret_proof"] = self._proof
        attempt = 0
        while True:
            attempt += 1
            if account:
                self.pacer.wait_for_call(account)
            if self._cancelled.is_set():
                raise Cancelled(f"act_{account}: stopped because another ad account failed")
            try:
                body = self._send(method, url, params, account)
            except Retry as failed:
                retry = failed
            else:
                self.stats.count()
                return body
            # Outside the `except`: what is raised from here carries no exception context.
            self.stats.count(retry.kind)
            limit = self.retry.connect_attempts if retry.connect else self.retry.max_attempts
            if attempt >= limit:
                raise self._give_up(retry, account, attempt)
            backoff = self.retry.delay(attempt, self._rng)
            what = retry.kind if retry.info is None else f"{retry.kind}, {retry.info.describe()}"
            log.warning("%s: Graph call failed (%s); attempt %d of %d, trying again",
                        f"act_{account}" if account else "Graph API", what, attempt, limit)
            if retry.kind == "throttled" and account:
                # Block this account only; other accounts' threads keep going.
                self.pacer.throttled(account, retry.regain_seconds, max(backoff, self.retry.base_seconds))
            elif retry.kind == "throttled":
                self._sleep(min(max(backoff, retry.regain_seconds), self.pacer.policy.max_wait_seconds))
            else:
                self._sleep(backoff)

    def _send(self, method: str, url: str, params: dict[str, Any], account: str | None) -> Any:
        response, failure = self._request(method, url, params)
        if failure is not None:
            raise failure
        assert response is not None
        status = response.status_code
        where = f"act_{account}" if account else "Graph API"
        if 300 <= status < 400:
            # Never followed: the token would go wherever the Location says.
            raise GraphUsageError(f"{where}: the Graph API answered HTTP {status} (a redirect, not followed); "
                                  "check META_GRAPH_URL (https, the exact host)")
        usage = parse_usage(response.headers, account)
        if account:
            self.pacer.observe(account, usage)
        body = _json_or_none(response.text)
        info = None if body is _NOT_JSON else parse_error(body, status, self.secrets)
        if info is None:
            if status >= 400:
                raise without_envelope(status, where)
            if body is _NOT_JSON:
                raise Retry("truncated")  # a 200 cut short: nothing usable arrived
            return body
        kind = info.kind
        if kind is Kind.THROTTLED:
            raise Retry("throttled", info, usage.regain_seconds)
        if kind is Kind.TRANSIENT:
            raise Retry("transient", info)
        raise error_for(info, account, self.secrets)

    def _request(self, method: str, url: str, params: dict[str, Any]) -> tuple[httpx.Response | None, Retry | None]:
        """The response with its body read, or the retry a failed exchange calls for."""
        try:
            if method == "GET":
                response = self._http.get(url, params=params)
            else:
                # Graph accepts JSON bodies; structures stay structures instead of JSON-in-a-form.
                response = self._http.post(url, json=params)
            response.read()
            return response, None
        except (httpx.TransportError, httpx.DecodingError) as error:
            # Dropped connection, reset, timeout, a body that does not decompress: the request may
            # or may not have landed; all our calls are reads or idempotent job submissions, so
            # sending it again is safe. Only a redacted text is kept: the httpx error holds the
            # request, whose URL carries the proof.
            detail = redact(" ".join(str(error).split()), *self.secrets)[:200]
            connect = isinstance(error, CONNECT_ERRORS)
            return None, Retry(f"transport:{type(error).__name__}", detail=detail, connect=connect)

    def _give_up(self, retry: Retry, account: str | None, attempts: int) -> GraphError:
        where = f"act_{account}" if account else "Graph API"
        if retry.info is not None:
            error = error_for(retry.info, account, self.secrets)
            return GraphError(f"{error} (gave up after {attempts} attempts)", retry.info)
        if retry.connect:
            host = self._origin.hostname or "?"
            port = f":{self._origin.port}" if self._origin.port else ""
            target = f"{self._origin.scheme}://{host}{port}"
            return GraphUnreachableError(f"{where}: cannot connect to the Graph API at {target} ({retry.detail or retry.kind}, "
                              f"{attempts} attempts); check META_GRAPH_URL and the network")
        return GraphError(f"{where}: {retry.kind} on every one of {attempts} attempts")


_NOT_JSON = object()


def _json_or_none(text: str) -> Any:
    """The decoded body, or `_NOT_JSON`; the decoder's error (which holds the text) is not kept."""
    try:
        return decode_json(text)
    except ValueError:
        return _NOT_JSON


def _encode(value: Any) -> str:
    """Graph parameters: structures as JSON (the SDK's way), booleans lower-case; callers join
    `fields` themselves because Graph wants that one comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)
