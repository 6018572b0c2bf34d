"""The Graph API transport: auth, appsecret_proof, retries and pacing (meta-api.md §5).

One `GraphClient` serves every ad account of a run; it is thread-safe, so accounts are pulled
concurrently. The token travels only in the `Authorization` header: it never appears in a URL we
build, in a log line or in an exception (`access_token` is also stripped from `paging.next` URLs).

Retried: the documented transient and throttling codes (errors.py), HTTP 5xx, bodies that are not
complete JSON (truncated) and dropped connections. Not retried: everything else, in particular
auth (190, 102) and permission (10, 200-299) errors, which fail at once with one line naming the
account and the code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from pipelines.graph.errors import GraphError, GraphErrorInfo, Kind, error_for, parse_error
from pipelines.graph.throttle import Pacer, PacingPolicy, parse_usage

USER_AGENT = "mmlens-graph-client"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; `max_attempts` counts the first try."""

    max_attempts: int = 10
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    timeout_seconds: float = 120.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.max_seconds, self.base_seconds * (2 ** (attempt - 1))))


@dataclass
class CallStats:
    """What a run cost: requests sent, retries, and seconds spent waiting on throttling."""

    requests: int = 0
    retries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, retry_kind: str | None = None) -> None:
        with self._lock:
            self.requests += 1
            if retry_kind is not None:
                self.retries += 1
                self.by_kind[retry_kind] = self.by_kind.get(retry_kind, 0) + 1


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, hex (§5.5)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def decode_json(text: str) -> Any:
    """JSON with decimals kept exact: a float never touches money or ids."""
    return json.loads(text, parse_float=Decimal)


class Cancelled(GraphError):
    """The run is stopping; raised in the other accounts' threads after one account failed."""


class _Retry(Exception):
    def __init__(self, kind: str, info: GraphErrorInfo | None = None, regain_seconds: float = 0.0) -> None:
        self.kind = kind
        self.info = info
        self.regain_seconds = regain_seconds


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
                self.stats.count()
                return body
            except _Retry as retry:
                self.stats.count(retry.kind)
                if attempt >= self.retry.max_attempts:
                    raise self._give_up(retry, account, attempt) from None
                backoff = self.retry.delay(attempt, self._rng)
                if retry.kind == "throttled" and account:
                    # Block this account only; other accounts' threads keep going.
                    self.pacer.throttled(account, retry.regain_seconds, max(backoff, self.retry.base_seconds))
                elif retry.kind == "throttled":
                    self._sleep(min(max(backoff, retry.regain_seconds), self.pacer.policy.max_wait_seconds))
                else:
                    self._sleep(backoff)

    def _send(self, method: str, url: str, params: dict[str, Any], account: str | None) -> Any:
        try:
            if method == "GET":
                response = self._http.get(url, params=params)
            else:
                # Graph accepts JSON bodies; structures stay structures instead of JSON-in-a-form.
                response = self._http.post(url, json=params)
            text = response.text
        except httpx.TransportError as error:
            # Dropped connection, reset, timeout: the request may or may not have landed; all our
            # calls are reads or idempotent job submissions, so sending it again is safe.
            raise _Retry(f"transport:{type(error).__name__}") from None
        usage = parse_usage(response.headers, account)
        if account:
            self.pacer.observe(account, usage)
        try:
            body = decode_json(text)
        except ValueError:
            # A truncated 200 or an HTML 5xx page: nothing usable arrived.
            raise _Retry("truncated" if response.status_code < 500 else "http_5xx") from None
        info = parse_error(body, response.status_code)
        if info is None:
            if response.status_code >= 500:
                raise _Retry("http_5xx")
            if response.status_code >= 400:
                info = GraphErrorInfo(None, None, f"HTTP {response.status_code}", http_status=response.status_code)
                raise error_for(info, account, self.secrets)
            return body
        kind = info.kind
        if kind is Kind.THROTTLED:
            raise _Retry("throttled", info, usage.regain_seconds)
        if kind is Kind.TRANSIENT:
            raise _Retry("transient", info)
        raise error_for(info, account, self.secrets)

    def _give_up(self, retry: _Retry, account: str | None, attempts: int) -> GraphError:
        where = f"act_{account}" if account else "Graph API"
        if retry.info is not None:
            error = error_for(retry.info, account, self.secrets)
            return GraphError(f"{error} (gave up after {attempts} attempts)", retry.info)
        return GraphError(f"{where}: {retry.kind} on every one of {attempts} attempts")


def _encode(value: Any) -> str:
    """Graph parameters: structures as JSON (the SDK's way), booleans lower-case; callers join
    `fields` themselves because Graph wants that one comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)
