"""The responses mart: taps attributed to the message the person last received on the Page, as of the
tap (a tap at the very instant of the delivery counts), unattributed taps counted under a NULL
campaign, personal data from phone and email quick replies never kept."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.transforms.responses import RESPONSES_SCHEMA, attribute_taps, responses_daily
from tests.transforms.builders import at

TAP_SCHEMA = {"event_type": pl.String, "page_id": pl.String, "sender_id": pl.String, "message_text": pl.String,
              "quick_reply_payload": pl.String, "postback_title": pl.String, "postback_payload": pl.String,
              "event_ts": pl.Datetime("us")}
RECEIVED_SCHEMA = {"event_type": pl.String, "page_id": pl.String, "recipient_id": pl.String,
                   "message_campaign_id": pl.String, "event_ts": pl.Datetime("us")}
MAY_1 = dt.date(2026, 5, 1)


def postback(minute: float, psid: str | None, title: str = "Shop now", payload: str = "SHOP", page: str | None = "p1") -> dict:
    return {"event_type": "postback", "page_id": page, "sender_id": psid, "message_text": None,
            "quick_reply_payload": None, "postback_title": title, "postback_payload": payload, "event_ts": at(minute)}


def quick_reply(minute: float, psid: str | None, text: str = "Yes", payload: str = "QR_YES", page: str = "p1") -> dict:
    return {"event_type": "message", "page_id": page, "sender_id": psid, "message_text": text,
            "quick_reply_payload": payload, "postback_title": None, "postback_payload": None, "event_ts": at(minute)}


def received(kind: str, minute: float, psid: str | None, campaign: str | None, page: str = "p1") -> dict:
    return {"event_type": kind, "page_id": page, "recipient_id": psid, "message_campaign_id": campaign,
            "event_ts": at(minute)}


def taps(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=TAP_SCHEMA)


def sent(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=RECEIVED_SCHEMA)


def rows(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(r.values()) for r in frame.to_dicts()]


def test_a_tap_belongs_to_the_message_last_received_as_of_the_tap() -> None:
    got = responses_daily(
        taps(postback(5, "u1"),            # exactly at c1's delivery: attributed to c1
             postback(-1, "u1"),           # before any message: unattributed
             quick_reply(30, "u1"),        # after c2's echo (minute 20): c2, not c1
             quick_reply(25, "u2"),        # u2 received c1 on another Page only: unattributed
             postback(40, "u1", page="p2"),  # on p2, u1 received nothing: unattributed
             postback(41, None, title="Stop", payload="STOP")),  # a user_ref sender: unattributed
        sent(received("delivery", 5, "u1", "c1"), received("echo", 2, "u1", "c1"), received("echo", 20, "u1", "c2"),
             received("delivery", 10, "u2", "c1", page="p9"),
             received("read", 22, "u2", "c3"),     # reads and clicks say nothing about what was received
             received("delivery", 21, None, "c4")))  # a Custom Audience delivery names nobody
    assert rows(got) == [
        ("p1", "c1", MAY_1, "postback", "Shop now", "SHOP", 1, True),
        ("p1", "c2", MAY_1, "quick_reply", "Yes", "QR_YES", 1, True),
        ("p1", None, MAY_1, "postback", "Shop now", "SHOP", 1, False),
        ("p1", None, MAY_1, "postback", "Stop", "STOP", 1, False),
        ("p1", None, MAY_1, "quick_reply", "Yes", "QR_YES", 1, False),
        ("p2", None, MAY_1, "postback", "Shop now", "SHOP", 1, False),
    ]
    assert got.schema == pl.Schema(RESPONSES_SCHEMA)


def test_taps_count_per_utc_date_kind_title_and_payload() -> None:
    # T0 is 10:00 on May 1; 14 hours later is May 2 in UTC.
    got = responses_daily(
        taps(postback(1, "u1"), postback(2, "u1"), postback(3, "u1", title="Deals", payload="DEALS"),
             quick_reply(4, "u1", text="Not now", payload="QR_LATER"), postback(14 * 60, "u1")),
        sent(received("echo", 0, "u1", "c1")))
    assert rows(got) == [
        ("p1", "c1", MAY_1, "postback", "Deals", "DEALS", 1, True),
        ("p1", "c1", MAY_1, "postback", "Shop now", "SHOP", 2, True),
        ("p1", "c1", MAY_1, "quick_reply", "Not now", "QR_LATER", 1, True),
        ("p1", "c1", dt.date(2026, 5, 2), "postback", "Shop now", "SHOP", 1, True),
    ]


def test_only_taps_count_and_zone_aware_times_are_read_as_utc() -> None:
    typed = taps(quick_reply(1, "u1"))
    plain_message = typed.with_columns(pl.lit(None, dtype=pl.String).alias("quick_reply_payload"),
                                       pl.lit("hello").alias("message_text"))
    optin = taps(postback(1, "u1")).with_columns(pl.lit("optin").alias("event_type"))
    assert responses_daily(pl.concat([plain_message, optin]), sent()).is_empty()
    aware = typed.with_columns(pl.col("event_ts").dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Tokyo"))
    received_aware = sent(received("delivery", 1, "u1", "c1")).with_columns(
        pl.col("event_ts").dt.replace_time_zone("UTC").dt.convert_time_zone("America/Los_Angeles"))
    assert rows(responses_daily(aware, received_aware)) == [("p1", "c1", MAY_1, "quick_reply", "Yes", "QR_YES", 1, True)]


def test_phone_numbers_and_email_addresses_are_not_kept() -> None:
    got = attribute_taps(
        taps(quick_reply(1, "u1", text="+1 (650) 555-1234", payload="+1 (650) 555-1234"),
             quick_reply(2, "u1", text="ana@example.com", payload="ana@example.com"),
             quick_reply(3, "u1", text="Size 42", payload="20260501")),  # a numeric payload under its own title
        sent())
    assert [(r["title"], r["payload"]) for r in got.to_dicts()] == [
        ("(phone number)", "(phone number)"), ("(email address)", "(email address)"), ("Size 42", "20260501")]


def test_two_messages_at_the_same_instant_give_the_same_campaign_every_time() -> None:
    tap = taps(postback(5, "u1"))
    one = sent(received("delivery", 5, "u1", "c1"), received("delivery", 5, "u1", "c2"))
    assert attribute_taps(tap, one)["message_campaign_id"].to_list() == ["c2"]
    assert attribute_taps(tap, one.reverse())["message_campaign_id"].to_list() == ["c2"]


def test_a_phone_number_has_at_least_seven_digits() -> None:
    got = attribute_taps(taps(quick_reply(1, "u1", text="555-1234", payload="555-1234"),
                              quick_reply(2, "u1", text="55-1234", payload="55-1234")), sent())  # six digits: kept
    assert [(r["title"], r["payload"]) for r in got.to_dicts()] == [("(phone number)", "(phone number)"),
                                                                    ("55-1234", "55-1234")]


def test_no_taps_give_an_empty_mart_with_its_columns() -> None:
    empty = responses_daily(taps(), sent(received("delivery", 5, "u1", "c1")))
    assert empty.is_empty() and empty.schema == {
        "page_id": pl.String, "message_campaign_id": pl.String, "date": pl.Date, "kind": pl.String, "title": pl.String,
        "payload": pl.String, "responses": pl.Int64, "attributed": pl.Boolean}
