"""Rate limiting as Meta reports it: usage headers that rise with the request rate, then errors.

Source: reference §5.3–§5.4. Every call counts against the app and, when it names an ad account,
against that account's business-use-case (BUC) budget, in a sliding window. Usage is a percentage
of the budget; above 100 % the call is refused with Meta's throttling error for the situation
(`80000/2446079` for Ads Insights, `17/2446079` for other ad-account reads, `4` for the app) and
the BUC header carries `estimated_time_to_regain_access` in minutes. Refused calls still count,
as Meta says ("calls keep accruing"), so a client that hammers stays blocked.

The clock is the server's monotonic clock: it only shapes headers and throttling decisions, never
the numbers in a body, so responses stay reproducible for tests that stay under the budget.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

ACCESS_TIER = "standard_access"


@dataclass(frozen=True)
class ThrottleError:
    code: int
    subcode: int | None
    message: str


_ACCOUNT_ERRORS = {
    # Ads Insights BUC limit, the ad-account read limit, and the custom rate limit (reference §5.3).
    "ads_insights": ThrottleError(
        80000,
        2446079,
        "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, "
        "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-insights.",
    ),
    "ads_management": ThrottleError(17, 2446079, "(#17) User request limit reached"),
    "estimate": ThrottleError(
        613, 1487742, "(#613) There have been too many calls from this ad-account. Please wait a bit and try again."
    ),
}


@dataclass(frozen=True)
class Usage:
    app_pct: int
    account_pct: int | None
    regain_minutes: int
    refused: ThrottleError | None


class Throttle:
    """Sliding-window call counters for the app and each ad account."""

    def __init__(
        self,
        app_budget: int = 100_000,
        account_budget: int = 20_000,
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_budget = app_budget
        self.account_budget = account_budget
        self.window = window_seconds
        self.clock = clock
        self._app: deque[float] = deque()
        self._accounts: dict[str, deque[float]] = {}

    def _trim(self, calls: deque[float], now: float) -> None:
        while calls and calls[0] <= now - self.window:
            calls.popleft()

    def _regain(self, calls: deque[float], budget: int, now: float) -> float:
        """Seconds until the window holds no more than `budget` calls again."""
        excess = len(calls) - budget
        if excess <= 0:
            return 0.0
        return calls[excess - 1] + self.window - now

    def record(self, account_id: str | None, kind: str = "ads_management") -> Usage:
        """Count one call; `kind` (`ads_insights`, `ads_management`, `estimate`) picks the error."""
        now = self.clock()
        self._trim(self._app, now)
        self._app.append(now)
        app_pct = _pct(len(self._app), self.app_budget)
        account_pct = None
        regain = self._regain(self._app, self.app_budget, now)
        refused = None
        if len(self._app) > self.app_budget:
            refused = ThrottleError(4, None, "(#4) Application request limit reached")
        if account_id is not None:
            calls = self._accounts.setdefault(account_id, deque())
            self._trim(calls, now)
            calls.append(now)
            account_pct = _pct(len(calls), self.account_budget)
            regain = max(regain, self._regain(calls, self.account_budget, now))
            if refused is None and len(calls) > self.account_budget:
                refused = _ACCOUNT_ERRORS[kind]
        minutes = math.ceil(regain / 60) if refused else 0
        return Usage(app_pct, account_pct, minutes, refused)


def _pct(calls: int, budget: int) -> int:
    return min(100, math.ceil(100 * calls / budget)) if budget > 0 else 100


def usage_headers(usage: Usage, account_id: str | None, kind: str = "ads_management") -> dict[str, str]:
    """The JSON-string usage headers of reference §5.4 for one response."""
    headers = {
        "x-app-usage": json.dumps(
            {"call_count": usage.app_pct, "total_cputime": usage.app_pct, "total_time": usage.app_pct}
        )
    }
    if account_id is None:
        return headers
    pct = usage.account_pct or 0
    headers["x-business-use-case-usage"] = json.dumps(
        {
            account_id: [
                {
                    "type": "ads_insights" if kind == "ads_insights" else "ads_management",
                    "call_count": pct,
                    "total_cputime": pct,
                    "total_time": pct,
                    "estimated_time_to_regain_access": usage.regain_minutes,
                    "ads_api_access_tier": ACCESS_TIER,
                }
            ]
        }
    )
    headers["x-ad-account-usage"] = json.dumps(
        {"acc_id_util_pct": pct, "reset_time_duration": usage.regain_minutes * 60, "ads_api_access_tier": ACCESS_TIER}
    )
    if kind == "ads_insights":
        headers["x-fb-ads-insights-throttle"] = json.dumps(
            {"app_id_util_pct": usage.app_pct, "acc_id_util_pct": pct, "ads_api_access_tier": ACCESS_TIER}
        )
    return headers
