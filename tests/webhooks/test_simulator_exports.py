"""30 days of the simulator's exports: raw event counts per type and campaign equal its truth."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pipelines import warehouse
from pipelines.simulator.export import export
from pipelines.simulator.truth import truth
from pipelines.simulator.world import World, WorldSize
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, ingest

TODAY = date(2026, 5, 20)
SINCE, UNTIL = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
# The truth names webhook fields (reference §4.1); this is where each lands, written by hand.
LANDS_AS = {
    "marketing_message_echoes": "echo",
    "marketing_message_deliveries": "delivery",
    "marketing_message_reads": "read",
    "marketing_message_clicks": "click",
    "marketing_message_delivery_failed": "delivery_failed",
    "marketing_messages_subscriber_upload_status": "subscriber_upload_status",
    "messaging_postbacks": "messenger postback",
    "messaging_optins": "messenger optin",
    "messages": "messenger message",  # quick-reply taps
}
CAMPAIGN_FREE = {"subscriber_upload_status", "messenger postback", "messenger optin", "messenger message"}
LANDED_SQL = ("select event_type, message_campaign_id, count(*) from raw.webhook_events group by all "
              "union all select 'messenger ' || event_type, null, count(*) from raw.messenger_events group by all")


def _landed(rows: list[tuple]) -> dict:
    return {(t, None if t in CAMPAIGN_FREE else c): n for t, c, n in rows}


def test_thirty_days_of_exports_match_the_simulator_truth(home: Path):
    world = World(seed=11, size=WorldSize(accounts=2, campaigns_per_account=3, days=40, sends_per_campaign_day=25),
                  today=TODAY)
    export(world, home, SINCE, UNTIL)
    expected = truth(world, SINCE, UNTIL)

    with warehouse.connect(home / "warehouse.duckdb") as con:
        events = ingest(con, home / "exports", WEBHOOKS)
        sends = ingest(con, home / "exports", SENDS)
        rows = con.execute(LANDED_SQL).fetchall()
        attempts = con.execute("select count(*), count(*) filter (where success) from raw.send_attempts").fetchall()

    assert events.balanced and events.lines_quarantined == 0 and events.events_quarantined == 0 and events.files == 30
    assert sends.balanced and sends.lines_quarantined == 0
    landed = _landed(rows)
    wanted = {(LANDS_AS[r["event_type"]], r["message_campaign_id"]): r["events"] for r in expected["webhook_events"]}
    assert landed == wanted
    assert {t for t, _ in landed} == set(LANDS_AS.values()) and sum(landed.values()) > 1000
    funnel = expected["funnel"]
    assert attempts == [(sum(r["attempted"] for r in funnel), sum(r["accepted"] for r in funnel))]


def test_signed_deliveries_through_the_receiver_match_the_truth(home: Path):
    """Simulator POSTs -> receiver (signature, journal) -> ingestion: the same distinct events."""
    from starlette.testclient import TestClient

    from pipelines.simulator.deliver import deliver
    from pipelines.webhooks.receiver import create_app

    world = World(seed=5, size=WorldSize(accounts=1, campaigns_per_account=2, days=10, sends_per_campaign_day=15),
                  today=TODAY)
    since, until = TODAY - timedelta(days=4), TODAY - timedelta(days=1)
    app = create_app(app_secret="deliver-secret", verify_token="t", folder=home / "exports" / "webhooks")
    with TestClient(app) as client:
        stats = deliver(world, "http://testserver/webhooks", since, until, "deliver-secret", client=client)
    assert stats.failed == 0 and stats.posts > 50

    with warehouse.connect(home / "warehouse.duckdb") as con:
        events = ingest(con, home / "exports", WEBHOOKS)
        rows = con.execute(LANDED_SQL).fetchall()
    assert events.lines_read == stats.posts and events.lines_quarantined == 0 and events.events_quarantined == 0
    wanted = {(LANDS_AS[r["event_type"]], r["message_campaign_id"]): r["events"]
              for r in truth(world, since, until)["webhook_events"]}
    assert _landed(rows) == wanted
