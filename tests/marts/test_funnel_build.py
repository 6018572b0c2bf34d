"""marts.delivery_funnel_daily built by pipelines/funnel_build.py on an in-memory warehouse: the
full rebuild's links made in DuckDB, incremental builds that widen their window back to the sends
new rows change (found through the send directory), the directory kept by rowid, and a failed build
that leaves the mart, the directory and the state as they were."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from pipelines import funnel_build
from pipelines.mart_io import BEGINNING, read_query
from tests.marts.seed import at, attempt, campaigns, event, is_registered, watermarks

MAY = {day: dt.date(2026, 5, day) for day in range(1, 11)}


def funnel(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(date, attempted, accepted, rejected, sent, delivered, read, clicked, failed, unattributed) of c1 on Page p1."""
    rows = con.execute("select * from marts.delivery_funnel_daily order by all").fetchall()
    assert {row[:2] for row in rows} <= {("p1", "c1")}
    return [row[2:] for row in rows]


def directory(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sends marts.send_keys names, by attempt key."""
    rows = con.execute("select s.attempt_key from marts.send_keys as k join raw.send_attempts as s on s.rowid = k.raw_rowid "
                       "order by all").fetchall()
    return [row[0] for row in rows]


def built(con: duckdb.DuckDBPyConnection, full: bool = False) -> tuple[dt.date | None, bool, int]:
    result = funnel_build.build_funnel(con, full=True) if full else funnel_build.build_funnel(con)  # incremental by default
    return result.since, result.full, result.rows_written


def test_a_full_rebuild_links_tracking_ids_in_the_read(con: duckdb.DuckDBPyConnection) -> None:
    campaigns(con)
    attempt(con, "a1", at(1, 10), "tok1", "dup")
    attempt(con, "a2", at(2, 10), "tok2", "dup")  # the same tracking id again: the first attempt keeps it
    attempt(con, "a3", at(2, 11), "tok3", "t3")
    attempt(con, "a4", at(2, 10), "tok4", None, code=2300042)  # rejected
    event(con, "e1", "read", at(2, 12), "tok1", "dup")
    event(con, "e2", "delivery", at(2, 12), "tok3", "t3")
    event(con, "e3", "click", at(2, 13), "tok2")  # no tracking id: the latest send of tok2, a2
    event(con, "e4", "delivery", at(2, 14), "tok5", "nope")  # an id no send carries: read whole, unattributed
    assert built(con) == (BEGINNING, True, 2)
    assert funnel(con) == [(MAY[1], 1, 1, 0, 1, 1, 1, 0, 0, 0),
                           (MAY[2], 3, 2, 1, 2, 2, 1, 1, 0, 1)]
    assert directory(con) == ["a1", "a2", "a3"]
    assert watermarks(con, "send_keys") == [("send_attempts", 3, 4)]
    assert watermarks(con, "delivery_funnel_daily") == [("send_attempts", 3, 4), ("webhook_events", 3, 4)]
    assert built(con) == (None, False, 0)  # nothing new
    assert built(con, full=True) == (BEGINNING, True, 2)
    assert directory(con) == ["a1", "a2", "a3"]  # not rebuilt with the mart: the send log did not change


def seed_day1(con: duckdb.DuckDBPyConnection) -> None:
    campaigns(con)
    attempt(con, "a1", at(1, 23), "tok1", "t1")
    attempt(con, "a2", at(1, 23), "tok2", None, code=2300042)
    event(con, "e1", "delivery", at(1, 23, 5), "tok1", "t1")
    event(con, "e2", "delivery_failed", at(1, 23), "tok9")  # a token never sent to


DAY1 = (MAY[1], 2, 1, 1, 1, 1, 0, 0, 0, 1)


def test_a_late_click_widens_the_window_back_to_its_send(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    assert built(con) == (BEGINNING, True, 1)
    assert funnel(con) == [DAY1]
    # May 2: a click for day 1's send (no tracking id: the as-of rule finds a1 through the directory),
    # and a new send that is read.
    event(con, "e3", "click", at(2, 1), "tok1")
    attempt(con, "a3", at(2, 1), "tok3", "t3")
    event(con, "e4", "read", at(2, 1, 1), "tok3", "t3")
    assert built(con) == (MAY[1], False, 2)
    incremental = funnel(con)
    assert incremental == [(MAY[1], 2, 1, 1, 1, 1, 1, 1, 0, 1), (MAY[2], 1, 1, 0, 1, 1, 1, 0, 0, 0)]
    assert directory(con) == ["a1", "a3"]  # appended
    assert watermarks(con, "send_keys") == [("send_attempts", 2, 3)]
    assert watermarks(con, "delivery_funnel_daily") == [("send_attempts", 2, 3), ("webhook_events", 3, 4)]
    assert built(con) == (None, False, 0)
    built(con, full=True)
    assert funnel(con) == incremental


def test_new_rows_of_the_windows_own_sends_rebuild_from_their_date(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    built(con)
    con.execute("update marts.delivery_funnel_daily set attempted = 9")  # May 1 is not rewritten
    attempt(con, "a3", at(3, 8), "tok3", "t3")
    event(con, "e3", "click", at(3, 9), "tok3")  # the as-of rule: the window's own send a3
    event(con, "e4", "click", at(4, 9), "tok8")  # a token never sent to: looked up, unattributed on its day
    assert built(con) == (MAY[3], False, 2)
    assert funnel(con) == [(MAY[1], 9, 1, 1, 1, 1, 0, 0, 0, 1), (MAY[3], 1, 1, 0, 1, 1, 1, 1, 0, 0),
                           (MAY[4], 0, 0, 0, 0, 0, 0, 0, 0, 1)]


def test_events_whose_send_is_older_than_the_window_attribute_to_it(con: duckdb.DuckDBPyConnection) -> None:
    """Older sends are looked up through the directory by tracking id and by (campaign, token);
    clicks that must be proven to have no send (a token never sent to, a token sent to by another
    campaign) stay unattributed without moving the window."""
    seed_day1(con)
    attempt(con, "other", at(1, 8), "tokX", "tX", campaign="c2")
    built(con)
    event(con, "orphan", "click", at(9, 9), "tok9")
    event(con, "other-click", "click", at(9, 9), "tokX")  # campaign c1, which never sent to tokX
    attempt(con, "a9", at(9, 9), "tok5", "t5")
    assert built(con) == (MAY[9], False, 1)
    rows = con.execute("select message_campaign_id, date, unattributed_events from marts.delivery_funnel_daily "
                       "where date = '2026-05-09'").fetchall()
    assert rows == [("c1", MAY[9], 2)]
    event(con, "late-click", "click", at(10, 9), "tok1")
    event(con, "late-read", "read", at(10, 9), "tok1", "t1")
    assert built(con) == (MAY[1], False, 3)  # c1 and c2 on May 1, c1 on May 9
    day1 = con.execute("select attempted, sent, delivered, read, clicked from marts.delivery_funnel_daily "
                       "where message_campaign_id = 'c1' and date = '2026-05-01'").fetchall()
    assert day1 == [(2, 1, 1, 1, 1)]
    assert directory(con) == ["a1", "a9", "other"]


def test_a_late_read_finds_its_older_send_by_tracking_id_alone(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    built(con)
    event(con, "late-read", "read", at(3, 9), "tok1", "t1")
    assert built(con) == (MAY[1], False, 1)
    assert funnel(con) == [(MAY[1], 2, 1, 1, 1, 1, 1, 0, 0, 1)]


def test_an_old_event_of_the_last_send_read_does_not_move_the_window(con: duckdb.DuckDBPyConnection) -> None:
    """The last send read (the highest rowid) is no new send: the click it already had, found again
    as older context, is not captured anew."""
    campaigns(con)
    attempt(con, "s1", at(1, 10), "tok1", "t1")
    event(con, "click", "click", at(3, 9), "tok1")
    built(con)
    assert funnel(con) == [(MAY[1], 1, 1, 0, 1, 1, 1, 1, 0, 0)]
    event(con, "failed", "delivery_failed", at(3, 10), "tok9")  # a token never sent to
    assert built(con) == (MAY[3], False, 1)
    assert funnel(con) == [(MAY[1], 1, 1, 0, 1, 1, 1, 1, 0, 0), (MAY[3], 0, 0, 0, 0, 0, 0, 0, 0, 1)]


def test_a_send_log_landing_after_its_webhooks_moves_the_event_off_the_older_send(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    event(con, "late-click", "click", at(2, 1), "tok1")
    built(con)
    assert funnel(con) == [(MAY[1], 2, 1, 1, 1, 1, 1, 1, 0, 1)]  # joined day 1's send
    # The send log for 00:30 on May 2 lands only now: the click belongs to that later send, and
    # day 1's send, before the new row's date, loses it.
    attempt(con, "late-send", at(2, 0, 30), "tok1", "t9")
    assert built(con) == (MAY[1], False, 2)
    incremental = funnel(con)
    assert incremental == [(MAY[1], 2, 1, 1, 1, 1, 0, 0, 0, 1), (MAY[2], 1, 1, 0, 1, 1, 1, 1, 0, 0)]
    built(con, full=True)
    assert funnel(con) == incremental


def test_a_new_send_capturing_an_event_of_a_window_send_keeps_the_window(con: duckdb.DuckDBPyConnection) -> None:
    """The captured click's older send is itself in the window (the last send read, at the window's
    first instant): the window stays at the new row's date, though an even older send of that token
    lies before it."""
    seed_day1(con)
    attempt(con, "a0", at(1, 6), "tok3", "t0")
    attempt(con, "a3", at(3, 0), "tok3", "t3")  # at midnight: the first instant of the window
    event(con, "click", "click", at(3, 12), "tok3")
    built(con)
    assert funnel(con) == [(MAY[1], 3, 2, 1, 2, 1, 0, 0, 0, 1), (MAY[3], 1, 1, 0, 1, 1, 1, 1, 0, 0)]
    con.execute("update marts.delivery_funnel_daily set attempted = 9 where date = '2026-05-01'")
    attempt(con, "a4", at(3, 10), "tok3", "t4")  # lands late, between a3 and its click
    assert built(con) == (MAY[3], False, 1)
    assert funnel(con) == [(MAY[1], 9, 2, 1, 2, 1, 0, 0, 0, 1), (MAY[3], 2, 2, 0, 2, 1, 1, 1, 0, 0)]


def test_the_send_directory_is_rebuilt_when_the_send_log_was(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    attempt(con, "a5", at(1, 9), "tok5", "t5")
    built(con)
    assert directory(con) == ["a1", "a5"]
    con.execute("delete from raw.send_attempts where attempt_key = 'a1'")
    attempt(con, "a3", at(2, 1), "tok3", "t3")  # three rows again, one of them new
    assert built(con)[:2] == (BEGINNING, True)
    assert directory(con) == ["a3", "a5"]
    assert con.execute("select raw_rowid from marts.send_keys order by all").fetchall() == [(2,), (3,)]  # a1's is gone
    assert watermarks(con, "send_keys") == [("send_attempts", 3, 3)]


def test_the_send_directory_keeps_its_rows_and_appends_the_new_sends(con: duckdb.DuckDBPyConnection) -> None:
    seed_day1(con)
    built(con)
    con.execute("update marts.send_keys set id_hash = 7")  # a mark on the rows already there
    attempt(con, "a3", at(2, 1), "tok3", "t3")
    funnel_build._update_send_keys(con, read_query(con, "mart_source_watermarks"))
    assert con.execute("select raw_rowid, id_hash = 7 from marts.send_keys order by all").fetchall() == [(0, True), (2, False)]
    assert watermarks(con, "send_keys") == [("send_attempts", 2, 3)]
    assert not is_registered(con, "watermark_rows")


def test_a_failed_funnel_build_leaves_mart_directory_and_state_as_they_were(con: duckdb.DuckDBPyConnection,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seed_day1(con)
    built(con)
    attempt(con, "a3", at(2, 1), "tok3", "t3")
    event(con, "e3", "read", at(2, 2), "tok3", "t3")

    def fails(*args: object, **kwargs: object) -> pl.DataFrame:
        raise RuntimeError("transform failed")

    monkeypatch.setattr(funnel_build, "delivery_funnel_daily", fails)
    with pytest.raises(RuntimeError, match="transform failed"):
        funnel_build.build_funnel(con)
    for view in (con, con.cursor()):
        assert funnel(view) == [DAY1]
        assert directory(view) == ["a1"]  # a3 was appended before the failure, and rolled back
        assert watermarks(view, "send_keys") == [("send_attempts", 1, 2)]
        assert watermarks(view, "delivery_funnel_daily") == [("send_attempts", 1, 2), ("webhook_events", 1, 2)]


def test_nothing_older_is_read_when_the_window_explains_every_event() -> None:
    """No connection is needed (None here): a full rebuild has nothing older, and a window whose
    events all have their send in it looks nothing up."""
    attempts = pl.DataFrame({"ts": [dt.datetime(2026, 5, 2, 9)], "message_campaign_id": ["c1"],
                             "subscription_token": ["tok1"], "success": [True], "tracking_id": ["t1"], "raw_rowid": [4]})
    events = pl.DataFrame({"event_type": ["delivery", "click"], "page_id": ["p1", "p1"],
                           "message_campaign_id": ["c1", "c1"], "subscription_token": ["tok1", "tok1"],
                           "tracking_id": ["t1", None],
                           "event_ts": [dt.datetime(2026, 5, 2, 10), dt.datetime(2026, 5, 2, 11)], "raw_rowid": [7, 8]})
    for since in (BEGINNING, MAY[2]):
        older = funnel_build._older_sends(None, since, attempts, events)  # type: ignore[arg-type]
        assert older.height == 0 and older.schema == attempts.schema
