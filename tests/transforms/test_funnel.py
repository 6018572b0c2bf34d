"""The funnel's hard cases, by name: each one is a way real webhook streams differ from the ideal
(missing tracking ids, out-of-order and duplicate events, failures after a send, orphans)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.transforms.funnel import (
    attribute_events,
    context_lookups,
    context_sends,
    delivery_funnel_daily,
    earliest_touched_send,
)
from tests.transforms.builders import attempts, campaigns, event, events, send

PAGES = campaigns(("c1", "p1"), ("c2", "p2"))


def only_row(frame: pl.DataFrame, **where: object) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def funnel_of(sends: pl.DataFrame, evts: pl.DataFrame) -> dict:
    return only_row(delivery_funnel_daily(sends, evts, PAGES), message_campaign_id="c1", date=dt.date(2026, 5, 1))


def test_click_without_tracking_id_goes_to_the_latest_send_before_it() -> None:
    sends = attempts(send(0, "tok", "t1"), send(60, "tok", "t2"))
    evts = events(event("click", 30, "tok"), event("click", 90, "tok"))
    attributed = attribute_events(sends, evts).sort("event_ts")
    assert attributed["send_id"].to_list() == [0, 1]
    row = funnel_of(sends, evts)
    assert (row["sent"], row["delivered"], row["read"], row["clicked"]) == (2, 2, 2, 2)
    assert row["unattributed_events"] == 0


def test_an_untracked_event_at_exactly_its_sends_time_belongs_to_that_send() -> None:
    sends = attempts(send(0, "tok", "t1"), send(60, "tok", "t2"))
    evts = events(event("click", 60, "tok"), event("delivery_failed", 0, "tok"))
    attributed = attribute_events(sends, evts).sort("event_ts")
    assert attributed["send_id"].to_list() == [0, 1]
    row = funnel_of(sends, evts)
    assert (row["sent"], row["clicked"], row["failed"], row["unattributed_events"]) == (2, 1, 1, 0)
    # Within a window, such an event needs no older send.
    assert context_lookups(sends, evts)[1].is_empty()


def test_click_before_any_send_of_its_token_is_unattributed() -> None:
    sends = attempts(send(60, "tok", "t1"))
    row = funnel_of(sends, events(event("click", 30, "tok")))
    assert (row["clicked"], row["unattributed_events"]) == (0, 1)


def test_read_before_delivery_still_counts_both_stages() -> None:
    sends = attempts(send(0, "tok", "t1"))
    row = funnel_of(sends, events(event("read", 5, "tok", "t1"), event("delivery", 9, "tok", "t1")))
    assert (row["sent"], row["delivered"], row["read"], row["clicked"]) == (1, 1, 1, 0)


def test_duplicate_events_count_once() -> None:
    sends = attempts(send(0, "a", "t1"), send(1, "b", "t2"))
    dup = event("delivery", 5, "a", "t1")
    row = funnel_of(sends, events(dup, dup, dup, event("echo", 2, "b", "t2")))
    assert (row["sent"], row["delivered"], row["read"]) == (2, 1, 0)


def test_failed_after_sent_counts_sent_and_failed_not_delivered() -> None:
    sends = attempts(send(0, "a", "t1"), send(1, "b", "t2"))
    evts = events(event("echo", 1, "a", "t1"), event("delivery_failed", 3, "a", message="Unknown Error"),
                  event("delivery", 4, "b", "t2"), event("delivery_failed", 5, "b", message="Unknown Error"))
    row = funnel_of(sends, evts)
    # b was delivered, so its later failure report does not count as a failed send.
    assert (row["sent"], row["delivered"], row["failed"]) == (2, 1, 1)


def test_events_with_no_send_are_unattributed_on_their_own_date() -> None:
    sends = attempts(send(0, "a", "t1"))
    evts = events(event("delivery", 5, "a", "t-unknown"), event("click", 60 * 24, "zzz"),
                  event("read", 6, None, campaign="c2", page=None))
    funnel = delivery_funnel_daily(sends, evts, PAGES)
    assert only_row(funnel, message_campaign_id="c1", date=dt.date(2026, 5, 1))["unattributed_events"] == 1
    next_day = only_row(funnel, message_campaign_id="c1", date=dt.date(2026, 5, 2))
    assert (next_day["unattributed_events"], next_day["attempted"]) == (1, 0)
    # No Page on the event: the campaign's Page is used.
    assert only_row(funnel, message_campaign_id="c2")["page_id"] == "p2"


def test_attempts_accepted_and_rejected_come_from_the_send_log() -> None:
    sends = attempts(send(0, "a", "t1"), send(1, "b", None, success=False, code=2300042),
                     send(2, "c", "t3", campaign="c2"))
    funnel = delivery_funnel_daily(sends, events(), PAGES)
    row = only_row(funnel, message_campaign_id="c1")
    # No webhook at all: the accepted attempt is still a send.
    assert (row["page_id"], row["attempted"], row["accepted"], row["rejected"], row["sent"]) == ("p1", 2, 1, 1, 1)
    assert only_row(funnel, message_campaign_id="c2")["page_id"] == "p2"


def test_send_date_is_the_utc_date_of_the_attempt_even_for_zone_aware_input() -> None:
    sends = attempts(send(14 * 60 - 1, "a", "t1")).with_columns(pl.col("ts").dt.replace_time_zone("UTC")
                                                                .dt.convert_time_zone("Asia/Tokyo"))
    evts = events(event("delivery", 15 * 60, "a", "t1"))
    funnel = delivery_funnel_daily(sends, evts, PAGES)
    assert funnel["date"].to_list() == [dt.date(2026, 5, 1)]
    assert funnel["delivered"].to_list() == [1]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["echo"], (1, 0, 0, 0)),
        (["click"], (1, 1, 1, 1)),
        (["delivery", "echo"], (1, 1, 0, 0)),
        (["read", "click", "delivery"], (1, 1, 1, 1)),
    ],
)
def test_later_stage_implies_earlier_ones(kinds: list[str], expected: tuple[int, int, int, int]) -> None:
    sends = attempts(send(0, "a", "t1"))
    row = funnel_of(sends, events(*[event(k, i + 1, "a", "t1") for i, k in enumerate(kinds)]))
    assert (row["sent"], row["delivered"], row["read"], row["clicked"]) == expected


def test_since_keeps_later_rows_and_earliest_touched_send_finds_older_sends() -> None:
    day2 = 24 * 60
    sends = attempts(send(0, "a", "t1"), send(day2, "b", "t2"))
    late = events(event("click", day2 + 5, "a"), event("delivery", day2 + 1, "b", "t2"))
    assert earliest_touched_send(sends, late) == dt.date(2026, 5, 1)
    funnel = delivery_funnel_daily(sends, late, PAGES, since=dt.date(2026, 5, 2))
    assert funnel["date"].to_list() == [dt.date(2026, 5, 2)]
    assert earliest_touched_send(sends, events()) is None


def test_context_lookups_ask_only_for_what_the_window_cannot_explain() -> None:
    window = attempts(send(60, "tok", "t1"), send(60, "other", "t2", campaign="c2"))
    evts = events(
        event("read", 70, "tok", "t1"),        # its send is in the window
        event("read", 70, "old", "t0"),        # tracking id of an older send
        event("click", 90, "tok"),             # the window's send of (c1, tok) is before it
        event("click", 30, "tok"),             # before the window's send of (c1, tok): an older one?
        event("click", 90, "other"),           # (c1, other): the window only sent (c2, other)
        event("click", 90, None),              # no token: matches nothing anyway
    )
    ids, pairs = context_lookups(window, evts)
    assert ids == ["t0"]
    assert pairs.rows() == [("c1", "other"), ("c1", "tok")]


def test_context_sends_keep_the_named_and_the_latest_per_key_checked_on_real_values() -> None:
    found = attempts(send(0, "tok", "t1"), send(10, "tok", "t2"), send(5, "tok", "t3", campaign="c2"),
                     send(1, "x", "t0")).with_row_index("raw_rowid").with_columns(pl.col("raw_rowid").cast(pl.Int64))
    pairs = pl.DataFrame({"message_campaign_id": ["c1"], "subscription_token": ["tok"]})
    kept = context_sends(found, ["t0"], pairs)
    # t0 by its id; (c1, tok)'s latest is t2; (c2, tok) only shares a token (or a hash) and was not asked for.
    assert sorted(kept["tracking_id"].to_list()) == ["t0", "t2"]


def test_an_attempt_whose_success_is_unknown_is_no_send() -> None:
    sends = attempts(send(0, "a", None, success=None), send(1, "b", "t2"))  # type: ignore[arg-type]
    evts = events(event("click", 2, "a"), event("delivery", 3, "b", "t2"))
    assert attribute_events(sends, evts).sort("event_ts")["send_id"].to_list() == [None, 0]
    row = funnel_of(sends, evts)
    assert (row["attempted"], row["accepted"], row["rejected"], row["sent"], row["delivered"], row["clicked"],
            row["unattributed_events"]) == (2, 1, 1, 1, 1, 0, 1)


def test_attributed_events_carry_their_stage_in_one_byte() -> None:
    """Stages are 0 to 4; a full rebuild holds millions of events, so the column stays Int8."""
    attributed = attribute_events(attempts(send(0, "a", "t1")), events(event("read", 1, "a", "t1"), event("click", 2, "a")))
    assert attributed.schema["stage"] == pl.Int8 and attributed.sort("event_ts")["stage"].to_list() == [3, 4]


def test_attributed_events_keep_their_raw_rowid_in_order() -> None:
    """Incremental builds tell new events from old ones by the rowid the attribution carries along."""
    sends = attempts(send(0, "a", "t1")).with_columns(raw_rowid=pl.Series([5]))
    evts = events(event("click", 2, "b"), event("delivery", 1, "a", "t1")).with_columns(raw_rowid=pl.Series([8, 7]))
    attributed = attribute_events(sends, evts)
    assert attributed.select("raw_rowid", "event_type", "send_id").rows() == [(8, "click", None), (7, "delivery", 0)]
    assert "raw_rowid" not in attribute_events(sends, evts.drop("raw_rowid")).columns


def test_a_repeated_tracking_id_belongs_to_its_first_send_also_when_events_are_few() -> None:
    """Fewer events than sends: only the events' ids are looked up among the sends."""
    sends = attempts(send(0, "a", "dup"), send(1, "b", "dup"), send(2, "c", "t3"))
    evts = events(event("read", 3, "a", "dup"))
    assert attribute_events(sends, evts).select("event_type", "send_id").rows() == [("read", 0)]
    row = funnel_of(sends, evts)
    assert (row["sent"], row["delivered"], row["read"], row["unattributed_events"]) == (3, 1, 1, 0)


@pytest.mark.parametrize(("token", "campaign"), [("a", None), (None, "c1")])
def test_an_untracked_event_without_campaign_or_token_is_attributed_once_to_nothing(token: str | None,
                                                                                   campaign: str | None) -> None:
    sends = attempts(send(0, "a", "t1"))
    attributed = attribute_events(sends, events(event("click", 1, token, campaign=campaign)))
    assert attributed.select("event_type", "send_id").rows() == [("click", None)]
