"""The report's taps: per campaign by kind, title and payload with shares of the campaign's taps, the
taps no message could be tied to last and counted, and Meta's text escaped in the table."""

from __future__ import annotations

import datetime as dt

import polars as pl

from reports import render, responses, tables
from reports.frames import REQUIRED, ReportFrames
from reports.metrics import Period

RUN = dt.date(2026, 5, 28)
PERIOD = Period.ending(RUN, 28)
DAY, OLD = dt.date(2026, 5, 20), dt.date(2026, 4, 1)


def taps(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=REQUIRED["responses_daily"], orient="row")


def names(*pairs: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame([{"message_campaign_id": c, "campaign_name": n, "date": DAY} for c, n in pairs])


FRAME = taps(
    ("p1", "c1", DAY, "postback", "Shop now", "SHOP", 3),
    ("p1", "c1", DAY, "quick_reply", "Yes", "QR_YES", 1),
    ("p1", "c2", DAY, "postback", "<b>Deal</b>", "A&B", 6),
    ("p1", None, DAY, "quick_reply", "Yes", "QR_YES", 2),
    ("p1", "c1", OLD, "postback", "Shop now", "SHOP", 50),  # outside the 28 days
)


def test_taps_per_campaign_most_tapped_first_unattributed_last() -> None:
    summary = responses.tap_summary(FRAME, names(("c1", "Spring"), ("c2", "Summer")), PERIOD)
    assert [(r["message_campaign_id"], r["campaign_name"], r["kind"], r["taps"], r["share"])
            for r in summary.to_dicts()] == [
        ("c2", "Summer", "postback", 6, 1.0),
        ("c1", "Spring", "postback", 3, 0.75),
        ("c1", "Spring", "quick_reply", 1, 0.25),
        (None, None, "quick_reply", 2, 1.0),
    ]
    assert responses.unattributed_taps(FRAME, PERIOD) == (2, 12)


def test_the_table_escapes_titles_and_payloads() -> None:
    summary = responses.tap_summary(FRAME, names(("c2", "<img src=x>")), PERIOD)
    html = tables.responses_table(summary, PERIOD.label(), responses.KIND_LABELS)
    assert "&lt;b&gt;Deal&lt;/b&gt;" in html and "A&amp;B" in html and "&lt;img src=x&gt;" in html
    assert "<b>Deal" not in html and "<img" not in html
    assert html.count("<tr>") == 5 and "Quick reply" in html and "Button" in html


def test_the_page_has_the_section_and_says_so_when_nothing_was_tapped() -> None:
    sections = {s.key: s for s in render.build_sections(ReportFrames.of({"responses_daily": FRAME}), RUN)}
    section = sections["responses"]
    assert section.title == "What recipients tapped" and section.empty is None
    assert "2 of 12 taps (16.7%) could not be tied to a message" in section.note
    empty = {s.key: s for s in render.build_sections(ReportFrames.of({}), RUN)}["responses"]
    assert empty.empty == render.NO_DATA


def test_the_chart_stacks_buttons_and_quick_replies_per_campaign_unattributed_at_the_bottom() -> None:
    summary = responses.tap_summary(FRAME, names(("c1", "Spring <b>"), ("c2", "Summer")), PERIOD)
    figure = responses.taps_figure(summary)
    buttons, quick = figure.data
    assert (buttons.name, quick.name) == ("Button", "Quick reply")
    assert list(buttons.y) == ["Not tied to a message", "Spring &lt;b>", "Summer"]  # bottom to top
    assert (list(buttons.x), list(quick.x)) == ([0, 3, 6], [2, 1, 0])
    assert figure.layout.title.text == "Taps on the 2 most tapped campaigns"
