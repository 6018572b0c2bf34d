"""Events whose send the reader already matched by tracking id (`send_rowid`, as a full rebuild
reads them from DuckDB) count exactly as if the funnel had matched them itself."""

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


def matched(kind: str, send_rowid: int) -> dict:
    """A matched event as the reader gives it: its type and send, every other column NULL."""
    return {**{name: None for name in event(kind, 0, None)}, "event_type": kind, "send_rowid": send_rowid}


def read_events(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame([{**row, "send_rowid": row.get("send_rowid")} for row in rows],
                        schema={**events().schema, "send_rowid": pl.Int64})


def test_matched_and_unmatched_events_count_together() -> None:
    evts = read_events(
        matched("delivery", 10), matched("read", 10),  # send t1 read
        event("click", 90, "tok"),  # no tracking id: the latest send of tok before it, t2
        event("delivery", 95, "tok", tracking="t9"),  # an id no send carries
    )
    (row,) = delivery_funnel_daily(numbered_attempts(), evts, PAGES).to_dicts()
    assert (row["page_id"], row["message_campaign_id"], row["date"]) == ("p1", "c1", dt.date(2026, 5, 1))
    assert (row["attempted"], row["accepted"], row["rejected"], row["sent"]) == (3, 2, 1, 2)
    assert (row["delivered"], row["read"], row["clicked"], row["failed"]) == (2, 2, 1, 0)
    assert row["unattributed_events"] == 1


def test_a_matched_send_that_is_no_accepted_attempt_is_an_error() -> None:
    with pytest.raises(ValueError, match="no accepted attempt"):
        delivery_funnel_daily(numbered_attempts(), read_events(matched("read", 12)), PAGES)


def test_matched_events_need_numbered_attempts() -> None:
    with pytest.raises(ValueError, match="no raw_rowid"):
        delivery_funnel_daily(numbered_attempts().drop("raw_rowid"), read_events(matched("read", 10)), PAGES)
