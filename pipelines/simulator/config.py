"""`SimulatorConfig`: everything that shapes the simulated Graph API's answers (see docs/simulator.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pipelines.simulator.faults import KINDS

DEFAULT_ACCESS_TOKEN = "sim-token"


@dataclass
class SimulatorConfig:
    """Everything that shapes the simulator's answers; defaults suit the demo and most tests."""

    seed: int = 7
    today: date | None = None  # the world's UTC "now"; None: the real UTC date
    size: object | None = None  # a `WorldSize`; None: the world's default size
    faults: float = 0.0
    fault_kinds: tuple[str, ...] = KINDS
    latency_ms: int = 0
    slow_seconds: float = 30.0  # how late a `slow` fault answers: past a sane client timeout
    access_token: str = DEFAULT_ACCESS_TOKEN
    app_secret: str | None = None
    forbidden_accounts: frozenset[str] = frozenset()  # accounts the token may not read (code 200)
    app_budget: int = 100_000  # calls per throttle window, app-wide
    account_budget: int = 20_000  # calls per throttle window, per ad account
    throttle_window_seconds: float = 300.0
    max_sync_points: int = 20_000  # data points (rows x fields) one synchronous page may carry
    max_sync_scan: int = 3_000  # campaign-days a synchronous range over 31 days may scan
    job_seconds: float = 0.0  # how long an async report run takes (more for big ones), on `clock`; `serve`: 2 s
    clock: Callable[[], float] = time.monotonic  # drives report runs and throttling; tests inject one
    empty_page_rate: float = 0.0  # a fault: pages empty but with `next` (Meta allows it, §1.6)
