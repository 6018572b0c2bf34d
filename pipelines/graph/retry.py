"""How the Graph client retries: the backoff policy, what a run cost, and HTTP answers that
carry no Graph error envelope (meta-api.md §5)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from pipelines.graph.errors import GraphError, GraphErrorInfo

# Statuses that mean "later" even without an error envelope (a proxy's or load balancer's answer).
RETRIED_4XX = frozenset({408, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; `max_attempts` counts the first try. A call whose
    connection is refused stops after `connect_attempts` (backoff 1 + 2 s at most)."""

    max_attempts: int = 10
    connect_attempts: int = 3
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


class Retry(Exception):
    """Raised inside the client for a failure worth another attempt; never leaves the client."""

    def __init__(
        self, kind: str, info: GraphErrorInfo | None = None, regain_seconds: float = 0.0, detail: str = "",
        connect: bool = False,
    ) -> None:
        self.kind = kind
        self.info = info
        self.regain_seconds = regain_seconds
        self.detail = detail  # already redacted
        self.connect = connect  # no connection was made: bounded by `connect_attempts`


def without_envelope(status: int, where: str) -> Exception:
    """An HTTP error with no Graph error in it (an HTML 5xx page, a proxy's answer): 5xx, 408 and
    429 are retried, any other status fails at once."""
    if status >= 500:
        return Retry("http_5xx")
    if status in RETRIED_4XX:
        return Retry(f"http_{status}")
    return GraphError(f"{where}: the Graph API answered HTTP {status} without a Graph error")

