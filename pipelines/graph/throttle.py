"""Pacing from Meta's usage headers (meta-api.md §5.4), per ad account.

Meta keeps counting calls made while an account is throttled, so the client stops calling that
account until `estimated_time_to_regain_access` (minutes) has passed, and admits new async jobs
more slowly as `x-fb-ads-insights-throttle` or business-use-case usage approaches 100 %.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """The highest utilisation (percent) seen in one response, and Meta's own wait estimate."""

    percent: float = 0.0
    regain_seconds: float = 0.0


def _load(value: str | None) -> object:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _number(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def parse_usage(headers: Mapping[str, str], account: str | None) -> Usage:
    """Read every usage header Meta documents; a header that does not parse is ignored.

    The business-use-case header is keyed by business object id; the entry for `account` is used
    when present, otherwise the worst entry (Meta may key it by the business instead).
    """
    percents: list[float] = []
    regain_minutes = 0.0
    lower = {k.lower(): v for k, v in headers.items()}
    for name, keys in (
        ("x-app-usage", ("call_count", "total_time", "total_cputime")),
        ("x-ad-account-usage", ("acc_id_util_pct",)),
        ("x-fb-ads-insights-throttle", ("app_id_util_pct", "acc_id_util_pct")),
    ):
        data = _load(lower.get(name))
        if isinstance(data, dict):
            percents.extend(_number(data.get(key)) for key in keys)
    buc = _load(lower.get("x-business-use-case-usage"))
    if isinstance(buc, dict):
        entries = buc.get(account) if account and isinstance(buc.get(account), list) else None
        if entries is None:
            entries = [e for value in buc.values() if isinstance(value, list) for e in value]
        for entry in entries:
            if isinstance(entry, dict):
                percents.extend(_number(entry.get(k)) for k in ("call_count", "total_time", "total_cputime"))
                regain_minutes = max(regain_minutes, _number(entry.get("estimated_time_to_regain_access")))
    return Usage(percent=max(percents, default=0.0), regain_seconds=regain_minutes * 60.0)


@dataclass(frozen=True)
class PacingPolicy:
    """Thresholds are Airbyte's (pause above 95 %) and MeltanoLabs' (slow above 75 %)."""

    slow_percent: float = 75.0
    stop_percent: float = 95.0
    slow_seconds: float = 5.0
    min_stop_seconds: float = 60.0
    max_wait_seconds: float = 3600.0


class Pacer:
    """Per-account "not before" times, shared by the threads working on different accounts."""

    def __init__(
        self,
        policy: PacingPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy or PacingPolicy()
        self._clock = clock
        self.sleep = sleep  # shared with the report poller, so a cancelled run stops polling too
        self._lock = threading.Lock()
        self._blocked_until: dict[str, float] = {}
        self._usage: dict[str, float] = {}
        self.waited_seconds = 0.0

    def observe(self, account: str, usage: Usage) -> None:
        with self._lock:
            self._usage[account] = usage.percent
            if usage.regain_seconds > 0 or usage.percent >= self.policy.stop_percent:
                wait = max(usage.regain_seconds, self.policy.min_stop_seconds)
                self._block(account, wait)

    def throttled(self, account: str, regain_seconds: float, fallback_seconds: float) -> None:
        """A throttling error: block the account for Meta's estimate or our backoff."""
        with self._lock:
            self._block(account, regain_seconds if regain_seconds > 0 else fallback_seconds)

    def _block(self, account: str, seconds: float) -> None:
        until = self._clock() + min(seconds, self.policy.max_wait_seconds)
        self._blocked_until[account] = max(self._blocked_until.get(account, 0.0), until)

    def wait_for_call(self, account: str) -> None:
        with self._lock:
            wait = self._blocked_until.get(account, 0.0) - self._clock()
        if wait > 0:
            self.waited_seconds += wait
            self.sleep(wait)

    def wait_for_new_job(self, account: str) -> None:
        """Before submitting an async job: also slow down when usage is high but not blocking."""
        self.wait_for_call(account)
        with self._lock:
            usage = self._usage.get(account, 0.0)
        if usage >= self.policy.slow_percent:
            self.waited_seconds += self.policy.slow_seconds
            self.sleep(self.policy.slow_seconds)
