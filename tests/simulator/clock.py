"""A clock a test moves by hand, for the simulator's report runs (no sleeping in tests)."""

from __future__ import annotations

import threading


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
