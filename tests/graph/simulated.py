"""Pull from the simulator through the public Python API and read back the raw tables."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from pipelines import warehouse
from pipelines.graph import pull, store
from pipelines.graph.async_reports import PollPolicy
from pipelines.graph.client import GraphClient, RetryPolicy
from pipelines.graph.pull import GraphTiming
from pipelines.graph.throttle import PacingPolicy
from pipelines.resources import GraphApi, build_resources
from pipelines.simulator.server import Simulator, SimulatorConfig, serving
from pipelines.simulator.world import World, WorldSize

TODAY = date(2026, 6, 1)
SIZE = WorldSize(accounts=2, campaigns_per_account=4, days=90, sends_per_campaign_day=40)
WINDOWS = ("7d_click", "1d_view")
# Short waits: the simulator's jobs need a few polls. Its "slow" fault answers after 3 s, twice the
# client's timeout; the timeout is generous enough that an answer the simulator gives at once still
# arrives in time on a loaded machine (a retry there would fail the fault-free runs' zero-retry check).
FAST = GraphTiming(
    retry=RetryPolicy(max_attempts=8, base_seconds=0.005, max_seconds=0.05, timeout_seconds=1.5),
    poll=PollPolicy(initial_seconds=0.002, max_seconds=0.01, timeout_seconds=30, stall_seconds=30),
    pacing=PacingPolicy(slow_seconds=0.0, min_stop_seconds=0.01, max_wait_seconds=1.0),
)
SIM_OPTIONS = {"slow_seconds": 3.0}


class FastGraphApi(GraphApi):
    """The Graph resource with the short waits, for runs through Dagster against the simulator."""

    def timing(self) -> GraphTiming:
        return FAST


def fast_resources(home: Path) -> dict[str, object]:
    """The project's resources on `home`, the Graph one with short waits (secrets from the environment)."""
    return {**build_resources(home=str(home)), "graph": FastGraphApi()}


def make_client(url: str, token: str, secret: str | None = None, timing: GraphTiming = FAST) -> GraphClient:
    return GraphClient(url, "v25.0", token, secret, retry=timing.retry, pacing=timing.pacing)


def history_range(world: World) -> tuple[date, date]:
    """The union of every account's history (account-local dates)."""
    ranges = [world.history(a.account_id) for a in world.accounts]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def pull_into(db: Path, client: GraphClient, account_ids: list[str], since: date, until: date) -> list[pull.InsightsPull]:
    """What the assets do in one run: entities for every account, landed; then insights for every
    account with the landed account nodes and campaign ids, landed."""
    entities = pull.for_each_account(account_ids, lambda a: pull.pull_entities(client, a), client)
    with warehouse.connect(db) as con:
        store.replace_entities(con, [e.account for e in entities], [c for e in entities for c in e.campaigns])
        known = store.landed_accounts(con)
    pulls = pull.for_each_account(
        account_ids, lambda a: pull.pull_insights(client, a, since, until, WINDOWS, FAST.poll, known=known.get(a)), client
    )
    with warehouse.connect(db) as con:
        store.replace_insights(con, pulls)
    return pulls


def dump(db: Path) -> dict[str, list[tuple]]:
    tables = ("ad_accounts", "message_campaigns", "campaign_insights_daily", "campaign_actions_daily")
    with warehouse.connect(db, read_only=True) as con:
        return {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in tables}  # noqa: S608 - fixed names


def truth(world: World, as_of_today: bool = True) -> tuple[set[tuple], set[tuple]]:
    """(campaign, day, spend, delivered, clicks) and (campaign, day, type, window, count, value) from the world."""
    insights, actions = set(), set()
    for account in world.accounts:
        first, last = world.history(account.account_id)
        for campaign in world.campaigns(account.account_id):
            day = first
            while day <= last:
                cd = world.campaign_day(campaign.message_campaign_id, day)
                if cd is not None:
                    insights.add((campaign.message_campaign_id, day, cd.spend, cd.insights_delivered, cd.link_clicks))
                    for action_type, windows in cd.actions.items():
                        for window in ("default", *WINDOWS):
                            if window in windows and windows[window][0] != 0:
                                count, value = windows[window]
                                actions.add((campaign.message_campaign_id, day, action_type, window, Decimal(count), Decimal(value)))
                day = date.fromordinal(day.toordinal() + 1)
    return insights, actions


def landed(tables: dict[str, list[tuple]]) -> tuple[set[tuple], set[tuple]]:
    insights = {(r[1], r[2], r[4], r[5], r[6]) for r in tables["campaign_insights_daily"]}
    # Meta omits `action_values` for types without value (leads, searches): NULL in raw, 0 in truth.
    actions = {(r[1], r[2], r[3], r[4], r[5], r[6] or Decimal(0)) for r in tables["campaign_actions_daily"] if r[5] != 0}
    return insights, actions


class RecordingSimulator(Simulator):
    """The simulator, recording every request it answers as (method, path without the version)."""

    def __init__(self, config: SimulatorConfig, world: World | None = None) -> None:
        super().__init__(config, world)
        self.requests: list[tuple[str, str]] = []
        self._requests_lock = threading.Lock()

    def handle(self, method, path, params, authorization, base_url):  # type: ignore[no-untyped-def]
        with self._requests_lock:
            self.requests.append((method, re.sub(r"^/v\d+\.\d+/", "", path).strip("/")))
        return super().handle(method, path, params, authorization, base_url)


@contextlib.contextmanager
def recording_simulator(world: World, **config: object) -> Iterator[tuple[str, RecordingSimulator]]:
    """Serve `world` on loopback in a background thread: the base URL and the recording simulator.
    `config` are `SimulatorConfig` fields (`access_token`, `app_secret`, ...)."""
    simulator = RecordingSimulator(SimulatorConfig(today=world.today, size=world.size, **config), world=world)  # type: ignore[arg-type]
    with serving(simulator) as url:
        yield url, simulator
