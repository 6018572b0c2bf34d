"""The mart builds of pipelines/mart_builds.py on an in-memory warehouse: each replaces its window
only, records how far it read, rebuilds nothing when nothing is new, and a failed build leaves
every table as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from pipelines import mart_builds
from pipelines.mart_io import BEGINNING
from tests.marts.seed import at, attempt, campaigns, event, tap, watermarks


def seed_insights(con: duckdb.DuckDBPyConnection) -> None:
    """c1 on May 1 (40 spent, 3 purchases worth 250 in the default window), May 2 and May 3."""
    for cid, day, spend in (("c1", 1, "40"), ("c1", 2, "10"), ("c2", 3, "5")):
        con.execute("insert into raw.campaign_insights_daily (ad_account_id, message_campaign_id, date, currency, spend, "
                    "delivered, link_clicks, read_rate, delivery_rate) values ('1', ?, ?, 'USD', ?, 1000, 5, 50, 90)",
                    [cid, dt.date(2026, 5, day), Decimal(spend)])
    con.execute("insert into raw.campaign_actions_daily values "
                "('1', 'c1', '2026-05-01', 'offsite_conversion.fb_pixel_purchase', 'default', 3, 250), "
                "('1', 'c1', '2026-05-02', 'offsite_conversion.fb_pixel_purchase', '7d_click', 2, 200), "
                "('1', 'c2', '2026-05-03', 'offsite_conversion.fb_pixel_purchase', 'default', 1, 30)")


def daily(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select message_campaign_id, date, spend, purchases, purchase_value, roas "
                       "from marts.campaign_daily order by all").fetchall()


def conversions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select message_campaign_id, date, attribution_window, conversions "
                       "from marts.conversions_daily order by all").fetchall()


MAY = {day: dt.date(2026, 5, day) for day in range(1, 11)}


def test_mart_row_count_counts_each_mart_by_name(con: duckdb.DuckDBPyConnection) -> None:
    campaigns(con)
    seed_insights(con)
    mart_builds.build_campaign_marts(con, MAY[1], MAY[3])
    counts = {name: mart_builds.mart_row_count(con, name) for name in mart_builds.MART_NAMES}
    assert counts == {"campaign_daily": 3, "conversions_daily": 3, "delivery_funnel_daily": 0, "error_codes_daily": 0,
                      "delivery_estimates": 0, "responses_daily": 0}
    with pytest.raises(ValueError, match=r"^not a mart: raw\.send_attempts$"):
        mart_builds.mart_row_count(con, "raw.send_attempts")


def test_campaign_marts_replace_their_date_range_only(con: duckdb.DuckDBPyConnection) -> None:
    campaigns(con)
    seed_insights(con)
    built_daily, built_conversions = mart_builds.build_campaign_marts(con, MAY[2], MAY[3])
    assert daily(con) == [("c1", MAY[2], Decimal(10), Decimal(0), Decimal(0), Decimal(0)),
                          ("c2", MAY[3], Decimal(5), Decimal(1), Decimal(30), Decimal(6))]
    assert conversions(con) == [("c1", MAY[2], "7d_click", Decimal(2)), ("c2", MAY[3], "default", Decimal(1))]
    assert (built_daily.height, built_conversions.height) == (2, 2)
    mart_builds.build_campaign_marts(con, MAY[1], MAY[1])
    assert daily(con)[0] == ("c1", MAY[1], Decimal(40), Decimal(3), Decimal(250), Decimal("6.25"))
    assert len(daily(con)) == 3 and len(conversions(con)) == 3
    # Meta restated May 2: only that day is replaced, the others stay.
    con.execute("update raw.campaign_insights_daily set spend = 20 where date = '2026-05-02'")
    con.execute("update raw.campaign_insights_daily set spend = 99 where date <> '2026-05-02'")
    mart_builds.build_campaign_marts(con, MAY[2], MAY[2])
    assert [row[:3] for row in daily(con)] == [("c1", MAY[1], Decimal(40)), ("c1", MAY[2], Decimal(20)),
                                              ("c2", MAY[3], Decimal(5))]


@pytest.mark.parametrize("failure", ["insert", "interrupt"])
def test_a_failed_campaign_build_rolls_back_both_marts(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
                                                        failure: str) -> None:
    """campaign_daily was already replaced when the conversions' write fails (its insert, or an
    interrupt before it): the rollback, not a commit, brings campaign_daily's previous rows back,
    and the build raises the failure itself."""
    campaigns(con)
    seed_insights(con)
    mart_builds.build_campaign_marts(con, MAY[1], MAY[3])
    before = (daily(con), conversions(con))
    con.execute("update raw.campaign_insights_daily set spend = 1")
    real = mart_builds.write_window
    written = []

    def conversions_fail(con, delete, params, insert, rows, state=None):
        written.append(insert)
        if insert == "mart_insert_conversions_daily":
            if failure == "interrupt":
                raise KeyboardInterrupt
            rows = rows.rename({"conversions": "n"})  # the insert names a column the frame lacks
        real(con, delete, params, insert, rows, state)

    monkeypatch.setattr(mart_builds, "write_window", conversions_fail)
    expected = KeyboardInterrupt if failure == "interrupt" else duckdb.BinderException
    with pytest.raises(expected):
        mart_builds.build_campaign_marts(con, MAY[1], MAY[3])
    assert written == ["mart_insert_campaign_daily", "mart_insert_conversions_daily"]
    assert (daily(con), conversions(con)) == before
    assert (daily(con.cursor()), conversions(con.cursor())) == before


def error_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select date, source, error_code, occurrences from marts.error_codes_daily order by all").fetchall()


def test_error_codes_rebuild_from_the_earliest_new_row(con: duckdb.DuckDBPyConnection) -> None:
    attempt(con, "a1", at(1), "tok1", None, code=2300042)
    event(con, "e1", "delivery_failed", at(2, 8), "tok9", message="This person is not available right now.")
    first = mart_builds.build_error_codes(con)
    assert (first.since, first.full, first.rows_written) == (BEGINNING, True, 2)
    assert error_rows(con) == [(MAY[1], "send_api", "2300042", 1), (MAY[2], "delivery_failed_webhook", "2300052", 1)]
    assert watermarks(con, "error_codes_daily") == [("send_attempts", 0, 1), ("webhook_events", 0, 1)]
    nothing = mart_builds.build_error_codes(con)
    assert (nothing.since, nothing.full, nothing.rows_written) == (None, False, 0)
    # A rejection of May 2 landing now: from May 2 on (UTC), the May 1 row is not rewritten.
    con.execute("update marts.error_codes_daily set occurrences = 7 where date = '2026-05-01'")
    attempt(con, "a2", at(2, 0, 30), "tok2", None, code=2300042)
    second = mart_builds.build_error_codes(con)
    assert (second.since, second.full, second.rows_written) == (MAY[2], False, 2)
    assert error_rows(con) == [(MAY[1], "send_api", "2300042", 7), (MAY[2], "delivery_failed_webhook", "2300052", 1),
                               (MAY[2], "send_api", "2300042", 1)]
    assert watermarks(con, "error_codes_daily") == [("send_attempts", 1, 2), ("webhook_events", 0, 1)]
    again = mart_builds.build_error_codes(con, full=True)
    assert (again.since, again.full) == (BEGINNING, True)
    assert error_rows(con)[0] == (MAY[1], "send_api", "2300042", 1)


def test_estimates_are_rebuilt_whole(con: duckdb.DuckDBPyConnection) -> None:
    campaigns(con)
    seed_insights(con)
    con.execute("insert into raw.delivery_estimates values ('1', '2026-05-01', 'p1', 50, 900, 1200, 30, 50)")
    mart_builds.build_campaign_marts(con, MAY[1], MAY[3])
    frame = mart_builds.build_estimates(con)
    assert frame.height == 1
    mart_builds.build_estimates(con)
    rows = con.execute("select ad_account_id, snapshot_date, actual_days, actual_delivered, actual_spend, "
                       "delivered_within_estimate from marts.delivery_estimates").fetchall()
    # Actuals of the snapshot's own day (May 1): 1000 delivered, within 900..1200, and 40 spent.
    assert rows == [("1", MAY[1], 1, 1000, Decimal(40), True)]


def responses(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select message_campaign_id, date, responses from marts.responses_daily order by all").fetchall()


def test_responses_rebuild_from_the_first_tap_a_new_row_can_change(con: duckdb.DuckDBPyConnection) -> None:
    event(con, "e1", "echo", at(1), None, recipient="u1")
    tap(con, "t1", at(1, 13), "u1")
    tap(con, "t2", at(2, 13), "u2")
    first = mart_builds.build_responses(con)
    assert (first.since, first.full, first.rows_written) == (BEGINNING, True, 2)
    assert responses(con) == [("c1", MAY[1], 1), (None, MAY[2], 1)]
    assert watermarks(con, "responses_daily") == [("messenger_events", 1, 2), ("webhook_events", 0, 1)]
    assert mart_builds.build_responses(con).since is None
    # u2's delivery of c2 on May 2 lands only now: the tap after it is c2's; May 1 is not rewritten.
    con.execute("update marts.responses_daily set responses = 5 where date = '2026-05-01'")
    event(con, "e2", "delivery", at(2, 9), None, campaign="c2", recipient="u2")
    second = mart_builds.build_responses(con)
    assert (second.since, second.full, second.rows_written) == (MAY[2], False, 1)
    assert responses(con) == [("c1", MAY[1], 5), ("c2", MAY[2], 1)]
    assert watermarks(con, "responses_daily") == [("messenger_events", 1, 2), ("webhook_events", 1, 2)]
    again = mart_builds.build_responses(con, full=True)
    assert (again.since, again.full) == (BEGINNING, True)
    assert responses(con) == [("c1", MAY[1], 1), ("c2", MAY[2], 1)]


@pytest.mark.parametrize("table", ["messenger_events", "webhook_events"])
def test_new_rows_that_change_no_tap_only_move_the_responses_state(con: duckdb.DuckDBPyConnection, table: str) -> None:
    tap(con, "t1", at(1), "u1")
    event(con, "e1", "echo", at(1, 9), None, recipient="u1")
    mart_builds.build_responses(con)
    if table == "messenger_events":  # a message that is no quick reply: no tap
        con.execute("insert into raw.messenger_events (event_key, event_type, page_id, sender_id, message_text, event_ts, "
                    "source_file, source_line) values ('m2', 'message', 'p1', 'u1', 'hi', ?, 'webhooks/a.ndjson', 2)",
                    [at(3)])
    else:  # a read names no recipient that could capture a tap
        event(con, "e2", "read", at(3), None)
    result = mart_builds.build_responses(con)
    assert (result.since, result.full, result.rows_written) == (None, False, 0)
    assert responses(con) == [("c1", MAY[1], 1)]
    marks = {"messenger_events": [("messenger_events", 1, 2), ("webhook_events", 0, 1)],
             "webhook_events": [("messenger_events", 0, 1), ("webhook_events", 1, 2)]}
    assert watermarks(con, "responses_daily") == marks[table]


@pytest.mark.parametrize("table", ["messenger_events", "webhook_events"])
def test_responses_rebuild_everything_when_a_raw_table_was_rebuilt(con: duckdb.DuckDBPyConnection, table: str) -> None:
    tap(con, "t1", at(1), "u1")
    event(con, "e1", "echo", at(1, 9), None, recipient="u1")
    mart_builds.build_responses(con)
    if table == "messenger_events":
        con.execute("delete from raw.messenger_events")
        tap(con, "t2", at(4), "u1")
    else:
        con.execute("delete from raw.webhook_events")
        event(con, "e2", "read", at(4), None)
    result = mart_builds.build_responses(con)
    assert (result.since, result.full) == (BEGINNING, True)


def test_responses_rebuild_everything_when_the_state_lacks_a_table(con: duckdb.DuckDBPyConnection) -> None:
    tap(con, "t1", at(1), "u1")
    mart_builds.build_responses(con)
    con.execute("delete from marts.build_watermarks where source_table = 'webhook_events'")
    result = mart_builds.build_responses(con)
    assert (result.since, result.full) == (BEGINNING, True)

