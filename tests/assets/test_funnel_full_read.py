"""A full funnel rebuild links tracking ids to sends inside DuckDB's read (mart_read_webhook_events_linked.sql):
on a real warehouse it gives the rows the funnel's rules give, and the same rows as the polars
transform on the whole events read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines import mart_builds, warehouse
from pipelines.transforms.funnel import FUNNEL_SCHEMA, delivery_funnel_daily
from pipelines.warehouse import sql_text
from tests.assets.test_marts import add_attempt, add_event, seed_graph

UTC = dt.timezone.utc
MAY1, MAY2 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=UTC), dt.datetime(2026, 5, 2, 10, 0, tzinfo=UTC)


def seed(con) -> None:
    seed_graph(con)
    add_attempt(con, "a1", MAY1, "tok1", "dup", line=1)
    add_attempt(con, "a2", MAY2, "tok2", "dup", line=2)  # the same tracking id again: the first attempt keeps it
    add_attempt(con, "a3", MAY2 + dt.timedelta(hours=1), "tok3", "t3", line=3)
    add_attempt(con, "a4", MAY2, "tok4", None, code=2300042, line=4)  # rejected
    hours = [MAY2 + dt.timedelta(hours=h) for h in (2, 3, 4)]
    add_event(con, "e1", "read", hours[0], "tok1", "dup", line=1)
    add_event(con, "e2", "delivery", hours[0], "tok3", "t3", line=2)
    add_event(con, "e3", "click", hours[1], "tok2", line=3)  # no tracking id: the latest send of tok2, a2
    add_event(con, "e4", "delivery", hours[2], "tok5", "nope", line=4)  # an id no send carries


def test_full_rebuild_matches_ids_in_the_read_with_the_funnel_rules(home: Path) -> None:
    with warehouse.connect(home / "warehouse.duckdb") as con:
        seed(con)
        built = mart_builds.build_funnel(con, full=True)
        assert built.full
        rows = con.sql("select * from marts.delivery_funnel_daily order by date").fetchall()
        start = dt.datetime(1970, 1, 1, tzinfo=UTC)
        attempts = con.sql(sql_text("queries/mart_read_send_attempts.sql"), params=[start]).pl()
        events = con.sql(sql_text("queries/mart_read_webhook_events.sql"), params=[start]).pl()
        campaigns = con.sql(sql_text("queries/mart_read_campaigns.sql")).pl()
    # page, campaign, date, attempted, accepted, rejected, sent, delivered, read, clicked, failed, unattributed
    assert rows == [
        ("p1", "c2", dt.date(2026, 5, 1), 1, 1, 0, 1, 1, 1, 0, 0, 0),
        ("p1", "c2", dt.date(2026, 5, 2), 3, 2, 1, 2, 2, 1, 1, 0, 1),
    ]
    wide = delivery_funnel_daily(attempts, events, campaigns).sort("date")
    assert wide.rows() == rows
    assert built.frame.schema == pl.Schema(FUNNEL_SCHEMA)
