"""The error-code catalogue and the daily error mart: MM codes in either field, the changelog's
pacing meaning of 2300069-2300079 with the message deciding, and unknowns kept, never dropped."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.transforms.error_codes import CATALOGUE_PATH, Catalogue, error_codes_daily, load_catalogue
from tests.transforms.builders import attempts, event, events, send

CATEGORIES = {"frequency_cap", "pacing_or_budget", "recipient_unavailable", "rate_limit", "creative_or_validation",
              "setup", "transient", "auth", "unknown"}


def test_catalogue_file_is_well_formed() -> None:
    document = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert document["version"]
    codes = [entry["code"] for entry in document["codes"]]
    assert len(codes) == len(set(codes))
    for entry in document["codes"]:
        assert entry["category"] in CATEGORIES and entry["source"] and entry["advice"]
        assert isinstance(entry["retryable"], bool)
    for code in range(2300069, 2300080):
        assert load_catalogue().info(str(code)).category == "pacing_or_budget"
    assert all(m["code"] in codes for m in document["messages"])


@pytest.mark.parametrize(
    ("code", "subcode", "expected"),
    [
        (2300042, None, "2300042"),          # MM code in `code`
        (100, 2300042, "2300042"),           # generic code with an MM subcode
        (613, 2534040, "613"),               # a throttling subcode is not an MM code
        (100, 2300999, "2300999"),           # unknown MM subcode still wins
        (2300052, 2300042, "2300052"),       # both MM: the code field
        (None, None, "unknown"),
        (190, None, "190"),
    ],
)
def test_generic_code_with_mm_subcode(code: int | None, subcode: int | None, expected: str) -> None:
    assert load_catalogue().resolve_send_code(code, subcode) == expected


@pytest.mark.parametrize(
    ("code", "message", "name", "category"),
    [
        ("2300078", "Brand extended credit limit reached.", "BRAND_EXTENDED_CREDIT_LIMIT_REACHED", "pacing_or_budget"),
        ("2300078", None, "BRAND_EXTENDED_CREDIT_LIMIT_REACHED", "pacing_or_budget"),
        ("2300078", "(#2300078) Send rate limit reached", "SEND_RATE_LIMIT", "rate_limit"),
        ("2300077", "The URL is invalid", "INVALID_URL", "creative_or_validation"),
        ("2300069", "Campaign lifetime budget reached.", "CAMPAIGN_LIFETIME_BUDGET_REACHED", "pacing_or_budget"),
        ("2300042", None, "WEEKLY_MM_LOAD_CAP_REACHED", "frequency_cap"),
        ("2300028", None, "PACING_INFO_UNAVAILABLE", "transient"),
        ("1893047", None, "RECIPIENT_NOT_AVAILABLE", "recipient_unavailable"),
        ("2300999", None, None, "unknown"),
    ],
)
def test_catalogue_lookup(code: str, message: str | None, name: str | None, category: str) -> None:
    info = load_catalogue().info(code, message)
    assert (info.name, info.category) == (name, category)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("This person is not available right now.", "2300052"),
        ("  this person is NOT available right now ", "2300052"),
        ("Daily spending limit reached.", "2300076"),
        ("Campaign daily budget reached.", "2300070"),
        ("Unknown Error", "unknown"),
        ("Something nobody has documented", "unknown"),
        (None, "unknown"),
    ],
)
def test_unknown_message_and_known_messages(message: str | None, code: str) -> None:
    assert load_catalogue().code_for_message(message) == code


def test_error_mart_counts_every_rejection_and_failure_unknowns_included() -> None:
    sends = attempts(
        send(0, "a", None, success=False, code=2300042),
        send(1, "b", None, success=False, code=100, subcode=2300042),
        send(2, "c", None, success=False, code=2300999, message="Brand new"),
        send(3, "d", None, success=False),
        send(4, "e", "t1"),
        send(60 * 24, "f", None, success=False, code=2300054, campaign="c2"),
    )
    evts = events(event("delivery_failed", 5, "a", message="This person is not available right now."),
                  event("delivery_failed", 6, "b", message="Never seen before"),
                  event("delivery_failed", 7, "b", message=None),
                  event("delivery", 8, "e", "t1"))
    mart = error_codes_daily(sends, evts)
    got = {(r["date"].day, r["message_campaign_id"], r["source"], r["error_code"]): (r["occurrences"], r["category"])
           for r in mart.to_dicts()}
    assert got == {
        (1, "c1", "send_api", "2300042"): (2, "frequency_cap"),
        (1, "c1", "send_api", "2300999"): (1, "unknown"),
        (1, "c1", "send_api", "unknown"): (1, "unknown"),
        (2, "c2", "send_api", "2300054"): (1, "pacing_or_budget"),
        (1, "c1", "delivery_failed_webhook", "2300052"): (1, "recipient_unavailable"),
        (1, "c1", "delivery_failed_webhook", "unknown"): (2, "unknown"),
    }
    assert mart["occurrences"].sum() == 4 + 1 + 3  # rejections + failures, nothing dropped
    assert mart.schema["date"] == pl.Date


def test_one_code_with_two_meanings_on_a_day_stays_one_row() -> None:
    sends = attempts(send(0, "a", None, success=False, code=2300078, message="Send rate limit reached"),
                     send(1, "b", None, success=False, code=2300078, message="Brand extended credit limit reached."),
                     send(2, "c", None, success=False, code=2300078, message="Send rate limit reached"))
    mart = error_codes_daily(sends, events())
    assert mart.select("error_code", "error_name", "occurrences").rows() == [("2300078", "SEND_RATE_LIMIT", 3)]


def test_catalogue_frame_lists_every_code() -> None:
    frame = load_catalogue().frame()
    assert frame.height > 50 and frame["code"].is_unique().all()
    assert Catalogue({"version": "x", "codes": [], "messages": []}).info("1").category == "unknown"
