"""The simulator's postbacks and quick replies, exported, ingested and built into marts.responses_daily,
equal its truth exactly: all at once, and day by day with incremental builds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pipelines import mart_builds, warehouse
from pipelines.simulator.export import export
from pipelines.simulator.truth import truth
from pipelines.simulator.world import World, WorldSize
from pipelines.webhooks.ingest import WEBHOOKS, ingest

TODAY = date(2026, 5, 20)
SINCE, UNTIL = date(2026, 5, 1), date(2026, 5, 19)
WORLD = World(seed=13, size=WorldSize(accounts=2, campaigns_per_account=3, days=30, sends_per_campaign_day=40),
              today=TODAY)


def _mart(con) -> dict:
    rows = con.sql("select page_id, message_campaign_id, date, kind, title, payload, responses, attributed "
                   "from marts.responses_daily").fetchall()
    return {(p, c, d.isoformat(), k, t, pl): (n, a) for p, c, d, k, t, pl, n, a in rows}


def _truth(since: date, until: date) -> dict:
    return {(r["page_id"], r["message_campaign_id"], r["date"], r["kind"], r["title"], r["payload"]):
            (r["responses"], r["message_campaign_id"] is not None) for r in truth(WORLD, since, until)["responses"]}


def test_the_responses_mart_equals_the_truth(home: Path) -> None:
    export(WORLD, home, SINCE, UNTIL)
    with warehouse.connect(home / "warehouse.duckdb") as con:
        assert ingest(con, home / "exports", WEBHOOKS).events_quarantined == 0
        assert mart_builds.build_responses(con).full
        got = _mart(con)
    expected = _truth(SINCE, UNTIL)
    assert got == expected
    attributed = sum(n for n, a in expected.values() if a)
    unattributed = sum(n for n, a in expected.values() if not a)
    assert attributed > 100 and unattributed > 10
    assert {k[3] for k in expected} == {"postback", "quick_reply"}


def test_day_by_day_incremental_builds_equal_the_truth(home: Path) -> None:
    day, first = SINCE, True
    with warehouse.connect(home / "warehouse.duckdb") as con:
        while day <= UNTIL:
            export(WORLD, home, day, day)
            ingest(con, home / "exports", WEBHOOKS)
            result = mart_builds.build_responses(con)
            assert result.full is first and result.since is not None
            assert first or result.since >= day - timedelta(days=1)  # only the new day (and a tap just before it)
            first, day = False, day + timedelta(days=1)
        assert mart_builds.build_responses(con).since is None  # nothing new
        got = _mart(con)
    assert got == _truth(SINCE, UNTIL)
