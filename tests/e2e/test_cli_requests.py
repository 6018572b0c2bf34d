"""The requests of one `mmlens run --date-preset last_7d`, counted at the simulator: each account
node is read twice (the preset's time zone in the CLI, and the entities step), the campaign list
once, and the insights and estimates steps take both from what the entities step landed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.simulator.world import World, WorldSize
from tests.e2e.helpers import mmlens
from tests.graph.simulated import recording_simulator

TOKEN = "EAArequestsTOKEN0123456789"


def test_a_last_7d_run_reads_each_account_node_twice_and_each_list_once(tmp_path: Path) -> None:
    # The preset resolves on the real clock, so the world's "now" is the real UTC date.
    today = dt.datetime.now(dt.UTC).date()
    world = World(seed=11, size=WorldSize(accounts=2, campaigns_per_account=3, days=20, sends_per_campaign_day=5),
                  today=today)
    first, second = (a.account_id for a in world.accounts)
    home = tmp_path / "home"
    env = {"MMLENS_HOME": str(home), "META_ACCESS_TOKEN": TOKEN, "META_AD_ACCOUNT_IDS": f"act_{first},{second}"}
    with recording_simulator(world, access_token=TOKEN) as (url, simulator):
        done = mmlens("run", "--date-preset", "last_7d", env={**env, "META_GRAPH_URL": url})
    assert done.returncode == 0, done.stderr[-3000:]

    expected = Counter()
    for account in (first, second):
        expected[("GET", f"act_{account}")] = 2  # the preset's time zone (CLI), the entities step
        expected[("GET", f"act_{account}/ads")] = 1  # the message campaigns with page, pixel, budgets
        expected[("GET", f"act_{account}/insights")] = 1  # 7-8 days x 3 campaigns: one synchronous page
        expected[("GET", f"act_{account}/message_delivery_estimate")] = 1
    assert Counter(simulator.requests) == expected
    assert len(simulator.requests) == 10

    # The requests made the whole report: each account's spend over the run's range is the world's.
    run = dg.DagsterInstance.from_config(str(home / "dagster")).get_runs()[0]
    start = dt.date.fromisoformat(run.tags["dagster/asset_partition_range_start"])
    end = dt.date.fromisoformat(run.tags["dagster/asset_partition_range_end"])
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    assert len(days) in (7, 8)  # 8 when the accounts' time zones straddle a date
    want = {
        account: sum((d.spend for c in world.campaigns(account) for day in days
                      if (d := world.campaign_day(c.message_campaign_id, day)) is not None), start=Decimal(0))
        for account in (first, second)
    }
    con = duckdb.connect(str(home / "analytics.duckdb"), read_only=True)
    try:
        spend = dict(con.execute("select ad_account_id, sum(spend) from marts.campaign_daily group by all").fetchall())
        estimates = con.execute("select ad_account_id from marts.delivery_estimates order by all").fetchall()
    finally:
        con.close()
    assert spend == want and all(want.values())
    assert estimates == sorted([(first,), (second,)])
