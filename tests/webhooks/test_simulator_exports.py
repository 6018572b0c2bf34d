"""30 days of the simulator's exports: raw event counts per type and campaign equal its truth."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pipelines import warehouse
from pipelines.simulator.export import export
from pipelines.simulator.truth import truth
from pipelines.simulator.world import World, WorldSize
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, ingest
from pipelines.webhooks.parse import EVENT_TYPES, FIELD_TYPES

TODAY = date(2026, 5, 20)
SINCE, UNTIL = TODAY - timedelta(days=30), TODAY - timedelta(days=1)


def test_thirty_days_of_exports_match_the_simulator_truth(home: Path):
    world = World(seed=11, size=WorldSize(accounts=2, campaigns_per_account=3, days=40, sends_per_campaign_day=25),
                  today=TODAY)
    export(world, home, SINCE, UNTIL)
    expected = truth(world, SINCE, UNTIL)

    with warehouse.connect(home / "warehouse.duckdb") as con:
        events = ingest(con, home / "exports", WEBHOOKS)
        sends = ingest(con, home / "exports", SENDS)
        rows = con.execute("select event_type, message_campaign_id, count(*) from raw.webhook_events group by all").fetchall()
        attempts = con.execute("select count(*), count(*) filter (where success) from raw.send_attempts").fetchall()

    assert events.balanced and events.lines_quarantined == 0 and events.files == 30
    assert sends.balanced and sends.lines_quarantined == 0
    campaign_free = {"subscriber_upload_status", "postback", "optin"}
    landed = {(t, None if t in campaign_free else c): n for t, c, n in rows}
    wanted = {(FIELD_TYPES[r["event_type"]], r["message_campaign_id"]): r["events"] for r in expected["webhook_events"]}
    assert landed == wanted
    assert {t for t, _ in landed} == set(EVENT_TYPES) and sum(landed.values()) > 1000
    funnel = expected["funnel"]
    assert attempts == [(sum(r["attempted"] for r in funnel), sum(r["accepted"] for r in funnel))]
