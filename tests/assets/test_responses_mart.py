"""The responses mart asset on a real temporary DuckDB: a late delivery captures the taps after it
(incremental equals full), nothing new rebuilds nothing, and the checks catch a lost tap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg

from assets import mart_checks, marts
from pipelines import mart_builds, warehouse
from pipelines.resources import build_resources

UTC = dt.timezone.utc
T = dt.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CHECKS = [mart_checks.every_tap_counted, *[c for c in mart_checks.grain_checks + mart_checks.sign_checks
                                           if any(k.asset_key.path[-1] == "responses_daily" for k in c.check_keys)]]


def add_tap(con, key: str, ts: dt.datetime, psid: str | None, payload: str = "QR_YES") -> None:
    con.execute("insert into raw.messenger_events (event_key, event_type, page_id, sender_id, message_text, "
                "quick_reply_payload, event_ts, source_file, source_line) values (?, 'message', 'p1', ?, 'Yes', ?, ?, "
                "'webhooks/a.ndjson', 1)", [key, psid, payload, ts])


def add_received(con, key: str, kind: str, ts: dt.datetime, psid: str, campaign: str) -> None:
    con.execute("insert into raw.webhook_events (event_key, event_type, page_id, message_campaign_id, recipient_id, "
                "event_ts, source_file, source_line) values (?, ?, 'p1', ?, ?, ?, 'webhooks/a.ndjson', 1)",
                [key, kind, campaign, psid, ts])


def rows(path: Path) -> list[tuple]:
    with warehouse.connect(path) as con:
        return con.sql("select message_campaign_id, date, responses, attributed from marts.responses_daily "
                       "order by all").fetchall()


def materialize(home: Path, **config: bool) -> dg.ExecuteInJobResult:
    run_config = {"ops": {"marts__responses_daily": {"config": config}}} if config else None
    return dg.materialize([marts.responses_daily, *CHECKS], resources=build_resources(home=str(home)),
                          run_config=run_config, raise_on_error=False)


def test_a_late_delivery_captures_the_taps_after_it(home: Path) -> None:
    db = home / "warehouse.duckdb"
    with warehouse.connect(db) as con:
        add_received(con, "e1", "echo", T, "u1", "c1")
        add_tap(con, "t1", T, "u1")                                  # at the echo's instant: c1
        add_tap(con, "t2", T + dt.timedelta(days=1), "u2")           # nothing received yet
        add_tap(con, "t3", T - dt.timedelta(days=1), "u2")           # before anything: never attributed
    result = materialize(home)
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    assert rows(db) == [("c1", dt.date(2026, 5, 1), 1, True), (None, dt.date(2026, 4, 30), 1, False),
                        (None, dt.date(2026, 5, 2), 1, False)]
    with warehouse.connect(db) as con:
        # u2's delivery of c2 (the morning of May 2) lands only now: the tap after it is c2's.
        add_received(con, "e2", "delivery", T + dt.timedelta(hours=20), "u2", "c2")
        assert mart_builds.build_responses(con).since == dt.date(2026, 5, 2)
        assert mart_builds.build_responses(con).since is None
    incremental = rows(db)
    assert incremental == [("c1", dt.date(2026, 5, 1), 1, True), ("c2", dt.date(2026, 5, 2), 1, True),
                           (None, dt.date(2026, 4, 30), 1, False)]
    assert materialize(home, full_rebuild=True).success and rows(db) == incremental


def test_every_tap_counted_fails_when_a_tap_is_lost(home: Path) -> None:
    db = home / "warehouse.duckdb"
    with warehouse.connect(db) as con:
        add_tap(con, "t1", T, "u1")
    assert materialize(home).success
    with warehouse.connect(db) as con:
        add_tap(con, "t2", T, "u1", payload="QR_LATER")  # landed after the build: not counted yet
    checks = dg.materialize(CHECKS, resources=build_resources(home=str(home)),
                            selection=dg.AssetSelection.checks(*mart_checks.every_tap_counted.check_keys),
                            raise_on_error=False)
    (evaluation,) = checks.get_asset_check_evaluations()
    assert evaluation.passed is False and evaluation.metadata["violations"].value == 1
