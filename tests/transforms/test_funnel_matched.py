"""Events the reader already linked to their send by tracking id (`linked`: type and `send_rowid`, as a
full rebuild reads them from DuckDB) count exactly as if the funnel had matched them itself."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.transforms.funnel import delivery_funnel_daily
from tests.transforms.builders import attempts, campaigns, event, events, send

PAGES = campaigns(("c1", "p1"))


def numbered_attempts() -> pl.DataFrame:
    rows = attempts(send(0, "tok", "t1"), send(60, "tok", "t2"), send(70, "other", None, success=False))
    return rows.with_columns(pl.Series("raw_rowid", [10, 11, 12], dtype=pl.Int64))


def linked(*rows: tuple[str, int | None]) -> pl.DataFrame:
    """Events as the reader links them: their type and send (NULL: the reader found none and
    returns the event whole among the others)."""
    return pl.DataFrame(rows, schema={"event_type": pl.String, "send_rowid": pl.Int64}, orient="row")


def test_matched_and_unmatched_events_count_together() -> None:
    links = linked(("delivery", 10), ("read", 10), ("delivery", None))  # send t1 read; one the reader left whole:
    evts = events(
        event("click", 90, "tok"),  # no tracking id: the latest send of tok before it, t2
        event("delivery", 95, "tok", tracking="t9"),  # an id no send carries
    )
    (row,) = delivery_funnel_daily(numbered_attempts(), evts, PAGES, linked=links).to_dicts()
    assert (row["page_id"], row["message_campaign_id"], row["date"]) == ("p1", "c1", dt.date(2026, 5, 1))
    assert (row["attempted"], row["accepted"], row["rejected"], row["sent"]) == (3, 2, 1, 2)
    assert (row["delivered"], row["read"], row["clicked"], row["failed"]) == (2, 2, 1, 0)
    assert row["unattributed_events"] == 1


def test_a_send_keeps_its_highest_stage_and_fails_only_undelivered() -> None:
    """Stages are written send by send: a lower stage after a higher one, or a failure after a
    delivery, must not undo it; a failure of a send never delivered counts."""
    links = linked(("read", 10), ("echo", 10), ("delivery_failed", 10), ("delivery", 10),
                   ("delivery_failed", 11), ("echo", 11))
    (row,) = delivery_funnel_daily(numbered_attempts(), events(), PAGES, linked=links).to_dicts()
    assert (row["sent"], row["delivered"], row["read"], row["clicked"], row["failed"]) == (2, 1, 1, 0, 1)
    assert row["unattributed_events"] == 0


@pytest.mark.parametrize("rowids, named", [
    ([10, 11, 12], 12),  # past the last accepted attempt
    ([10, 12, 11], 11),  # a rejected attempt between two sends
    ([10, 11, 12], 9),  # before the first
])
def test_a_matched_send_that_is_no_accepted_attempt_is_an_error(rowids: list[int], named: int) -> None:
    frame = numbered_attempts().with_columns(pl.Series("raw_rowid", rowids, dtype=pl.Int64))
    with pytest.raises(ValueError, match="no accepted attempt"):
        delivery_funnel_daily(frame, events(), PAGES, linked=linked(("read", named)))


def test_matched_events_need_numbered_attempts() -> None:
    with pytest.raises(ValueError, match="no raw_rowid"):
        delivery_funnel_daily(numbered_attempts().drop("raw_rowid"), events(), PAGES, linked=linked(("read", 10)))
