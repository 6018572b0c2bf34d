"""Meta's own Python SDK (facebook_business 26.0.3) pointed at a running simulator.

The SDK builds every URL from `FacebookSession.GRAPH` + the API version, so the session of an
initialised `FacebookAdsApi` is given the simulator's base URL. Report runs progress on a clock the
tests move by hand, so nothing sleeps. The crash reporter stays off: it would post tracebacks to Meta.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from facebook_business.api import FacebookAdsApi

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.simulator.clock import ManualClock

SEED = 11
TODAY = date(2026, 6, 17)
SIZE = WorldSize(accounts=2, campaigns_per_account=4, days=120, sends_per_campaign_day=150)
TOKEN = "sdk-conformance-token"
VERSION = "v25.0"
# last_90d on 2026-06-17 in both accounts' zones (Los Angeles and Tokyo are on the 17th at noon UTC).
SINCE, UNTIL = date(2026, 3, 19), date(2026, 6, 16)


class Simulator:
    def __init__(self, url: str, clock: ManualClock, world: World) -> None:
        self.url, self.clock, self.world = url, clock, world

    def api(self, token: str = TOKEN) -> FacebookAdsApi:
        api = FacebookAdsApi.init(access_token=token, api_version=VERSION, crash_log=False)
        api._session.GRAPH = self.url
        return api


@pytest.fixture(scope="session")
def world() -> World:
    return World(SEED, SIZE, TODAY)


@pytest.fixture(scope="session")
def simulator(world: World) -> Iterator[Simulator]:
    clock = ManualClock()
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, clock=clock,
                           job_seconds=30.0, world=world) as url:
        yield Simulator(url, clock, world)


@pytest.fixture
def api(simulator: Simulator) -> FacebookAdsApi:
    return simulator.api()
