"""Seeded, transient fault injection: the failures a Graph client must survive (issue 3).

A fault is decided per (request, attempt number), where a request is its method, path and
parameters without credentials, and the attempt number counts how often the same request was
seen. A request faults at most `MAX_FAULTY_ATTEMPTS` times in a row, so retrying the same request
always succeeds eventually; the same seed and the same sequence of requests give the same faults.

Kinds (reference §5.1–§5.2 and connector experience in peers.md):
- `server_error`: HTTP 500 with an HTML body (a proxy error page, not JSON);
- `transient`: HTTP 500 with `{"error": {"code": 2, "is_transient": true, ...}}`;
- `truncated`: HTTP 200 whose JSON body is cut short;
- `dropped`: the connection closes in the middle of the body;
- `slow`: the answer comes after `slow_seconds`, later than a sensible client timeout.
Async report runs additionally fail (`Job Failed`) or expire (`Job Skipped`); see `job_fate`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

KINDS = ("server_error", "transient", "truncated", "dropped", "slow")
MAX_FAULTY_ATTEMPTS = 3


def unit_hash(*parts: object) -> float:
    """A deterministic number in [0, 1) from `parts` (sha256, not Python's salted hash)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def request_key(method: str, path: str, params: Mapping[str, str]) -> str:
    """What makes two requests "the same" for retries: credentials and proofs left out."""
    kept = sorted((k, v) for k, v in params.items() if k not in ("access_token", "appsecret_proof"))
    return f"{method} {path}?" + "&".join(f"{k}={v}" for k, v in kept)


class FaultInjector:
    """Decides, for each incoming request, whether and how it fails."""

    def __init__(self, seed: int, rate: float, kinds: tuple[str, ...] = KINDS) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1; got {rate}")
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))}")
        self.seed = seed
        self.rate = rate
        self.kinds = kinds
        self._attempts: dict[str, int] = {}

    def next_attempt(self, key: str) -> int:
        attempt = self._attempts.get(key, 0)
        self._attempts[key] = attempt + 1
        return attempt

    def decide(self, key: str, attempt: int) -> str | None:
        """The fault kind for this attempt of this request, or None to answer normally."""
        if self.rate <= 0 or attempt >= MAX_FAULTY_ATTEMPTS or not self.kinds:
            return None
        if unit_hash(self.seed, "fault", key, attempt) >= self.rate:
            return None
        pick = unit_hash(self.seed, "kind", key, attempt)
        return self.kinds[int(pick * len(self.kinds))]

    def job_fate(self, run_id: str) -> str:
        """`completed`, `failed` or `skipped` for an async report run (resubmitting gets a new id)."""
        draw = unit_hash(self.seed, "job", run_id)
        if draw < self.rate / 2:
            return "failed"
        if draw < self.rate * 2 / 3:
            return "skipped"
        return "completed"


SERVER_ERROR_HTML = (
    "<!DOCTYPE html><html><head><title>Error</title></head><body>"
    "<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed as soon as we can.</p>"
    "</body></html>"
)
TRANSIENT_ERROR = {
    "message": "(#2) Service temporarily unavailable",
    "type": "OAuthException",
    "is_transient": True,
    "code": 2,
}
