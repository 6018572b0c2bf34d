"""The funnel's exact edges, each with hand-written rows and counts: rowid ranges of the events a
full rebuild links itself (starting at 0, below 0, none at all), the exact refusals, sends that
never failed, and the other corners the tests of test_funnel.py and test_funnel_matched.py leave
open."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl
import pytest

from pipelines.transforms.funnel import (
    attribute_events,
    context_lookups,
    context_sends,
    delivery_funnel_daily,
    earliest_touched_send,
)
from tests.transforms.builders import T0, at, attempts, campaigns, event, events, send

PAGES = campaigns(("c1", "p1"))
MAY_1 = dt.date(2026, 5, 1)
LINKED_SCHEMA = {"event_type": pl.String, "send_rowid": pl.Int64}


def numbered(rowids: list[int], *rows: dict) -> pl.DataFrame:
    return attempts(*rows).with_columns(pl.Series("raw_rowid", rowids, dtype=pl.Int64))


def linked(*rows: tuple[str, int | None]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LINKED_SCHEMA, orient="row")


def counts(funnel: pl.DataFrame) -> tuple[int, ...]:
    (row,) = funnel.to_dicts()
    return tuple(row[name] for name in ("sent", "delivered", "read", "clicked", "failed", "unattributed_events"))


@pytest.mark.parametrize(("rowids", "links", "expected"), [
    # The first rowid 0: the lookup's range starts there.
    ([0, 1], [("read", 0), ("delivery", 1)], (2, 2, 1, 0, 0, 0)),
    ([0, 1], [("click", 1)], (2, 1, 1, 1, 0, 0)),
    # Any integer range works, below 0 too.
    ([-3, -2], [("read", -3), ("echo", -2)], (2, 1, 1, 0, 0, 0)),
    ([-1, 0], [("delivery_failed", -1), ("delivery", 0)], (2, 1, 0, 0, 1, 0)),
])
def test_linked_events_find_their_send_over_any_rowid_range(rowids: list[int], links: list[tuple[str, int]],
                                                            expected: tuple[int, ...]) -> None:
    sends = numbered(rowids, send(0, "a", "t1"), send(1, "b", "t2"))
    assert counts(delivery_funnel_daily(sends, events(), PAGES, linked=linked(*links))) == expected


def test_no_attempts_and_no_linked_events_make_an_empty_funnel() -> None:
    funnel = delivery_funnel_daily(numbered([]), events(), PAGES, linked=linked())
    assert funnel.height == 0 and funnel.columns[:3] == ["page_id", "message_campaign_id", "date"]


def test_a_linked_event_of_another_type_counts_nothing() -> None:
    """Only the funnel's types have a stage; any other linked type is left out, like unlinked ones."""
    sends = numbered([4, 5], send(0, "a", "t1"), send(1, "b", "t2"))
    funnel = delivery_funnel_daily(sends, events(), PAGES, linked=linked(("reaction", 4), ("read", 5)))
    assert counts(funnel) == (2, 1, 1, 0, 0, 0)


def test_linked_events_without_numbered_attempts_are_refused_with_the_exact_reason() -> None:
    with pytest.raises(ValueError, match=r"^events carry send_rowid but the attempts have no raw_rowid$"):
        delivery_funnel_daily(attempts(send(0, "a", "t1")), events(), PAGES, linked=linked(("read", 0)))


def test_a_linked_event_of_no_accepted_attempt_is_refused_with_the_exact_reason() -> None:
    sends = numbered([3, 4], send(0, "a", "t1"), send(1, "b", None, success=False))
    with pytest.raises(ValueError, match=r"^events name a send_rowid that is no accepted attempt of this frame$"):
        delivery_funnel_daily(sends, events(), PAGES, linked=linked(("read", 4)))


@pytest.mark.parametrize("linked_rows", [None, [("echo", 0)]])
def test_sends_that_were_never_reported_failed_count_no_failure(linked_rows: list[tuple[str, int]] | None) -> None:
    """Undelivered sends (an echo, or nothing at all) without a delivery_failed event are not failed."""
    sends = numbered([0, 1], send(0, "a", "t1"), send(1, "b", "t2"))
    evts = events(event("echo", 2, "b", "t2"))
    links = None if linked_rows is None else linked(*linked_rows)
    assert counts(delivery_funnel_daily(sends, evts, PAGES, linked=links)) == (2, 0, 0, 0, 0, 0)


def test_zone_aware_events_are_attributed_and_dated_in_utc() -> None:
    """Events as DuckDB's timestamptz gives them, in another zone: a click 30 minutes after its send
    (UTC) belongs to it; an orphan at 20:00 UTC on May 1 (05:00 on May 2 in Tokyo) is dated May 1."""
    sends = attempts(send(0, "a", "t1"))
    evts = events(event("click", 30, "a"), event("read", 10 * 60, "zzz")).with_columns(
        pl.col("event_ts").dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Tokyo"))
    (row,) = delivery_funnel_daily(sends, evts, PAGES).to_dicts()
    assert row["date"] == MAY_1
    assert counts(pl.DataFrame([row])) == (1, 1, 1, 1, 0, 1)


def test_a_campaign_listed_twice_takes_its_last_page() -> None:
    """The campaigns table may list a campaign again (its Page changed): the last row is its Page,
    and the funnel keeps one row per campaign and day."""
    pages = campaigns(("c1", "p-old"), ("c1", "p-new"))
    sends = attempts(send(0, "a", "t1"))
    evts = events(event("read", 5, "zzz", page=None))
    (row,) = delivery_funnel_daily(sends, evts, pages).to_dicts()
    assert (row["page_id"], row["sent"], row["unattributed_events"]) == ("p-new", 1, 1)


def test_a_campaign_of_no_known_page_keeps_one_row_per_day() -> None:
    """A campaign missing from the campaigns table has no Page: its sends and its unattributed
    events of the same day still make one row (NULL keys are equal there)."""
    sends = attempts(send(0, "a", "t1", campaign="c9"))
    evts = events(event("delivery", 2, "a", "t1", campaign="c9", page=None),
                  event("click", 3, "zzz", campaign="c9", page=None))
    (row,) = delivery_funnel_daily(sends, evts, PAGES).to_dicts()
    assert (row["page_id"], row["message_campaign_id"], row["date"]) == (None, "c9", MAY_1)
    assert counts(pl.DataFrame([row])) == (1, 1, 0, 0, 0, 1)


def test_an_unattributed_event_counts_under_its_own_page_before_the_campaigns() -> None:
    funnel = delivery_funnel_daily(attempts(), events(event("read", 5, "zzz", page="p7")), PAGES)
    assert funnel.select("page_id", "message_campaign_id", "date", "unattributed_events").rows() == [
        ("p7", "c1", MAY_1, 1)]


def test_an_unattributed_event_repeated_exactly_counts_once_and_a_different_one_again() -> None:
    orphan = event("click", 5, "zzz")
    evts = events(orphan, orphan, orphan, event("click", 6, "zzz"))
    funnel = delivery_funnel_daily(attempts(send(0, "a", "t1")), evts, PAGES)
    assert counts(funnel) == (1, 0, 0, 0, 0, 2)


@pytest.mark.parametrize("unit", ["ns", "ms"])
def test_timestamps_of_another_precision_are_attributed_alike(unit: Literal["ns", "ms"]) -> None:
    """Tracked, untracked and orphan events together, with the timestamps in ns or ms."""
    sends = attempts(send(0, "a", "t1"), send(1, "b", "t2")).with_columns(pl.col("ts").cast(pl.Datetime(unit)))
    evts = events(event("read", 2, "a", "t1"), event("click", 3, "b"), event("click", 4, None)).with_columns(
        pl.col("event_ts").cast(pl.Datetime(unit)))
    assert attribute_events(sends, evts).select("event_type", "send_id").rows() == [
        ("read", 0), ("click", 1), ("click", None)]
    assert counts(delivery_funnel_daily(sends, evts, PAGES)) == (2, 2, 2, 1, 0, 1)


def test_an_untracked_event_with_a_token_but_no_campaign_is_counted_unattributed() -> None:
    funnel = delivery_funnel_daily(attempts(send(0, "a", "t1")), events(event("click", 4, "a", campaign=None)),  # type: ignore[arg-type]
                                     PAGES)
    assert funnel.sort("message_campaign_id", nulls_last=True).select(
        "page_id", "message_campaign_id", "sent", "clicked", "unattributed_events").rows() == [
        ("p1", "c1", 1, 0, 0), ("p1", None, 0, 0, 1)]


def test_a_funnel_given_the_events_attribution_counts_as_one_that_attributes_them_itself() -> None:
    """`attributed` (what attribute_events gave for these frames) replaces the funnel's own
    attribution: its stages, failures and orphans count the same."""
    sends = attempts(send(0, "a", "t1"), send(1, "b", "t2"), send(2, "c", "t3"))
    evts = events(event("delivery", 2, "a", "t1"), event("read", 3, "a", "t1"),
                  event("delivery_failed", 4, "b"),   # b's send, never delivered: failed
                  event("click", 5, "c"),              # c's send: clicked
                  event("click", 6, "zzz"))            # no send: unattributed
    expected = (3, 2, 2, 1, 1, 1)
    assert counts(delivery_funnel_daily(sends, evts, PAGES)) == expected
    attributed = attribute_events(sends, evts)
    assert counts(delivery_funnel_daily(sends, evts, PAGES, attributed=attributed)) == expected


def tokyo(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(column).dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Tokyo"))


def test_attribution_of_zone_aware_frames_is_in_naive_utc() -> None:
    sends = tokyo(attempts(send(0, "a", "t1"), send(60, "a", "t2")), "ts")
    evts = tokyo(events(event("click", 30, "a"), event("read", 70, "a", "t2")), "event_ts")
    attributed = attribute_events(sends, evts)
    assert attributed.select("event_ts", "send_id", "send_ts").rows() == [(at(30), 0, T0), (at(70), 1, at(60))]


@pytest.mark.parametrize("aware", ["attempts", "events", "both"])
def test_context_lookups_compare_zone_aware_frames_in_utc(aware: str) -> None:
    """The window's send is at 10:00 UTC (19:00 in Tokyo): a click at 10:30 UTC needs no older send,
    one at 09:30 UTC does."""
    window = attempts(send(0, "tok", "t1"), send(0, "old", "t2"))
    evts = events(event("click", 30, "tok"), event("click", -30, "old"), event("read", 5, "x", "t0"))
    if aware in ("attempts", "both"):
        window = tokyo(window, "ts")
    if aware in ("events", "both"):
        evts = tokyo(evts, "event_ts")
    ids, pairs = context_lookups(window, evts)
    assert ids == ["t0"] and pairs.rows() == [("c1", "old")]


def test_earliest_touched_send_is_the_utc_date_of_a_zone_aware_send() -> None:
    """A send at 23:30 UTC on April 30 is 08:30 on May 1 in Tokyo: its UTC date is April 30."""
    sends = tokyo(attempts(send(-(10 * 60 + 30), "a", "t1"), send(0, "b", "t2")), "ts")
    evts = tokyo(events(event("read", 5, "a", "t1")), "event_ts")
    assert earliest_touched_send(sends, evts) == dt.date(2026, 4, 30)


def test_context_sends_keep_the_candidates_order_and_each_send_once() -> None:
    """The older sends keep the order they were read in (by rowid), so that among the window's
    attempts a repeated tracking id still belongs to its first attempt. A send named by its id that
    is also the latest of a looked-up pair is kept once, where its id put it."""
    candidates = attempts(send(0, "tok", "t1"), send(1, "u", "d4"), send(2, "v", "d2"), send(3, "w", "d4"),
                          send(4, "x", "d1"), send(9, "tok", "d3"), send(5, "y", "d2")).with_row_index(
        "raw_rowid").with_columns(pl.col("raw_rowid").cast(pl.Int64) * 10)
    pairs = pl.DataFrame({"message_campaign_id": ["c1"], "subscription_token": ["tok"]})
    kept = context_sends(candidates, ["d1", "d2", "d3", "d4"], pairs)
    assert kept.select("raw_rowid", "tracking_id").rows() == [
        (10, "d4"), (20, "d2"), (30, "d4"), (40, "d1"), (50, "d3"), (60, "d2")]
