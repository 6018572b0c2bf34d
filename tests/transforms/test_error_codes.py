"""The error-code catalogue and the daily error mart: MM codes in either field, as numbers or as
names, the changelog's pacing meaning of 2300069-2300079 with the message deciding, only documented
texts, and unknowns kept, never dropped."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.transforms.error_codes import CATALOGUE_PATH, Catalogue, ErrorInfo, error_codes_daily, load_catalogue
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
        for variant in entry.get("variants", ()):  # phrases are compared with normalized (lower-case) texts
            assert all(phrase and phrase == " ".join(phrase.lower().split()) for phrase in variant["match"])
    for code in range(2300069, 2300080):
        assert load_catalogue().info(str(code)).category == "pacing_or_budget"
    for item in document["messages"] + document["names"]:
        assert item["code"] in codes and item["source"]
    names = {item["name"]: item["code"] for item in document["names"]}
    assert len(names) == len(document["names"])
    entries = {entry["code"]: entry["name"] for entry in document["codes"]}
    assert all(entries[code] == name for name, code in names.items())  # a documented name is the entry's name


# Texts that no Meta page documents: the simulator's own delivery_failed wordings and paraphrases of the
# reference's meaning column. They are classified as unknown, not guessed.
@pytest.mark.parametrize("message", ["Message failed to send due to frequency capping.",
                                     "Message blocked: recipient opted out of marketing messages.",
                                     "The recipient is not available to receive messages.",
                                     "Campaign pacing information is not ready yet", "Recipient unavailable",
                                     "Recipient not available", "Attachment failed to save"])
def test_undocumented_texts_are_not_in_the_catalogue(message: str) -> None:
    assert load_catalogue().code_for_message(message) == "unknown"


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
        (100, 1893047, "1893047"),           # an MM code outside 2300xxx (the catalogue's family says so)
        (613, 4017070, "4017070"),
        (100, 1893015, "100"),               # a Messenger subcode is not an MM code
        (100, 12345, "100"),                 # nor is a subcode the catalogue does not know
        (None, 2534040, "2534040"),          # a lone subcode that is no MM code is still kept
    ],
)
def test_generic_code_with_mm_subcode(code: int | None, subcode: int | None, expected: str) -> None:
    assert load_catalogue().resolve_send_code(code, subcode) == expected


# Frequency-cap names of the changelog (Apr 10, 2026) count under the codes reference §5.6 infers for them.
@pytest.mark.parametrize(
    ("code", "subcode", "name", "expected"),
    [
        (None, None, "WEEKLY_MM_LOAD_CAP_REACHED", "2300042"),
        (None, None, "DAILY_MM_LOAD_CAP_REACHED", "2300043"),
        (None, None, "MIN_ORGANIC_THREAD_NOT_REACHED", "2300044"),
        (100, None, "WEEKLY_MM_LOAD_CAP_REACHED", "2300042"),   # a name beats a generic code
        (2300042, None, "WEEKLY_MM_LOAD_CAP_REACHED", "2300042"),
        (2300052, None, "WEEKLY_MM_LOAD_CAP_REACHED", "2300052"),  # an MM number in `code` comes first
        (None, None, "RECIPIENT_UNAVAILABLE", "2300052"),
        (100, None, "2300044", "2300044"),                     # a code in error_data, as digits
        (100, None, "SOMETHING_UNDOCUMENTED", "100"),          # an unknown name: classified by its code
        (None, None, "SOMETHING_UNDOCUMENTED", "SOMETHING_UNDOCUMENTED"),  # or kept, as an unknown number is
    ],
)
def test_codes_sent_as_names(code: int | None, subcode: int | None, name: str, expected: str) -> None:
    assert load_catalogue().resolve_send_code(code, subcode, name) == expected


def test_a_code_the_catalogue_does_not_know_keeps_its_number_and_says_so() -> None:
    assert load_catalogue().info("2300999") == ErrorInfo(
        "2300999", None, "unknown", None, "Not in the error catalogue: check Meta's documentation.", None)


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
        # Inside a longer text, the longest documented phrase wins over the shorter one it contains.
        ("(#2300073) Account daily spending limit reached for this business", "2300073"),
        ("Sorry: daily spending limit reached for today", "2300076"),
        ("Campaign daily budget reached.", "2300070"),
        ("This recipient can't receive any more marketing messages at this time.", "2300042"),
        ("DAILY_MM_LOAD_CAP_REACHED", "2300043"),
        ("(#100) MIN_ORGANIC_THREAD_NOT_REACHED", "2300044"),
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


FCAP_TEXT = "This recipient can't receive any more marketing messages at this time."
# Four rejected sends: (token, the cap's code as reference §5.6 infers it, its name as the changelog gives it).
CAPS = (("a", 2300042, "WEEKLY_MM_LOAD_CAP_REACHED"), ("b", 2300043, "DAILY_MM_LOAD_CAP_REACHED"),
        ("c", 2300044, "MIN_ORGANIC_THREAD_NOT_REACHED"), ("d", 2300042, "WEEKLY_MM_LOAD_CAP_REACHED"))
CAP_STYLES = {
    "number": lambda number, name: {"code": number},
    "name-in-code": lambda number, name: {"name": name},
    "generic-code-with-name": lambda number, name: {"code": 100, "name": name},
    "generic-code-with-subcode": lambda number, name: {"code": 100, "subcode": number},
}
CAP_ROWS = {  # (campaign, source, code, name, category, retryable, occurrences), written out by hand
    ("c1", "send_api", "2300042", "WEEKLY_MM_LOAD_CAP_REACHED", "frequency_cap", False, 2),
    ("c1", "send_api", "2300043", "DAILY_MM_LOAD_CAP_REACHED", "frequency_cap", False, 1),
    ("c1", "send_api", "2300044", "MIN_ORGANIC_THREAD_NOT_REACHED", "frequency_cap", False, 1),
}


def _caps(style: str) -> pl.DataFrame:
    return attempts(*(send(minute, token, None, success=False, message=FCAP_TEXT, **CAP_STYLES[style](number, name))
                      for minute, (token, number, name) in enumerate(CAPS)))


@pytest.mark.parametrize("style", CAP_STYLES)
def test_name_coded_and_number_coded_caps_give_the_same_rows(style: str) -> None:
    mart = error_codes_daily(_caps(style), events())
    assert set(mart.select("message_campaign_id", "source", "error_code", "error_name", "category", "retryable",
                           "occurrences").rows()) == CAP_ROWS
    assert mart.sort("error_code").equals(error_codes_daily(_caps("number"), events()).sort("error_code"))


def test_a_documented_name_beside_a_number_describes_it() -> None:
    """Which number stands behind which cap name is inferred; the name Meta sends is its own word."""
    sends = attempts(send(0, "a", None, success=False, code=2300042, name="DAILY_MM_LOAD_CAP_REACHED"),
                     send(1, "b", None, success=False, code=2300052, name="NOT_A_DOCUMENTED_NAME"))
    assert set(error_codes_daily(sends, events()).select("error_code", "error_name", "category").rows()) == {
        ("2300042", "DAILY_MM_LOAD_CAP_REACHED", "frequency_cap"),
        ("2300052", "RECIPIENT_UNAVAILABLE", "recipient_unavailable")}


def test_one_code_with_two_meanings_on_a_day_stays_one_row() -> None:
    sends = attempts(send(0, "a", None, success=False, code=2300078, message="Send rate limit reached"),
                     send(1, "b", None, success=False, code=2300078, message="Brand extended credit limit reached."),
                     send(2, "c", None, success=False, code=2300078, message="Send rate limit reached"))
    mart = error_codes_daily(sends, events())
    assert mart.select("error_code", "error_name", "occurrences").rows() == [("2300078", "SEND_RATE_LIMIT", 3)]


def test_catalogue_frame_lists_every_code() -> None:
    document = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    catalogue = load_catalogue()
    assert catalogue.version == document["version"]
    frame = catalogue.frame()
    assert frame.columns == ["code", "name", "category", "retryable", "advice", "source"]
    assert frame.height == len(document["codes"]) and frame["code"].is_unique().all()
    assert frame["code"].to_list()[:8] == ["1", "2", "3", "4", "10", "17", "32", "100"]  # by number, not as text
    assert frame.row(0) == ("1", "UNKNOWN_GRAPH_ERROR", "transient", True, "Possibly downtime: retry with backoff.",
                            "reference 5.2 (Graph error handling)")
    assert Catalogue({"version": "x", "codes": [], "messages": []}).info("1").category == "unknown"


def test_longest_phrase_wins_whatever_its_alphabetical_place() -> None:
    catalogue = Catalogue({"version": "t", "codes": [], "messages": [
        {"message": "limit reached", "code": "1"}, {"message": "spend limit reached", "code": "2"}]})
    assert catalogue.code_for_message("Sorry, spend limit reached today") == "2"
    assert catalogue.code_for_message("Sorry, limit reached today") == "1"


def test_catalogue_frame_types_hold_for_a_column_without_values() -> None:
    entry = {"code": "5", "family": "graph", "name": "X", "category": "setup", "retryable": None, "advice": None,
             "source": None}
    frame = Catalogue({"version": "t", "codes": [entry], "messages": []}).frame()
    assert frame.schema == {"code": pl.String, "name": pl.String, "category": pl.String, "retryable": pl.Boolean,
                            "advice": pl.String, "source": pl.String}


def test_each_mart_row_carries_its_codes_advice() -> None:
    sends = attempts(send(0, "a", None, success=False, code=2300042), send(1, "b", None, success=False, code=2300999))
    assert sorted(error_codes_daily(sends, events()).select("error_code", "retryable", "advice").rows()) == [
        ("2300042", False, "Weekly frequency cap: do not retry this recipient until their organic activity changes."),
        ("2300999", None, "Not in the error catalogue: check Meta's documentation."),
    ]


def test_a_rejection_whose_success_is_unknown_counts_and_zoned_times_fall_on_their_utc_date() -> None:
    """DuckDB hands timestamptz columns over zone-aware: 21:30 in New York on May 1 is 01:30 on May 2 in UTC."""
    sends = attempts(send(0, "a", None, success=None, code=2300042),  # type: ignore[arg-type]
                     send(60 * 15 + 30, "b", None, success=False, code=2300052))  # 01:30 UTC, May 2
    evts = events(event("delivery_failed", 60 * 15 + 30, "c", message="This person is not available right now."))
    zoned = [pl.col(c).dt.replace_time_zone("UTC").dt.convert_time_zone("America/New_York") for c in ("ts", "event_ts")]
    mart = error_codes_daily(sends.with_columns(zoned[0]), evts.with_columns(zoned[1]))
    assert sorted((r["date"].day, r["source"], r["error_code"], r["occurrences"]) for r in mart.to_dicts()) == [
        (1, "send_api", "2300042", 1), (2, "delivery_failed_webhook", "2300052", 1), (2, "send_api", "2300052", 1)]


def test_only_failures_or_only_rejections_give_their_rows() -> None:
    failures = events(event("delivery_failed", 5, "a", message="This person is not available right now."))
    assert error_codes_daily(attempts(send(0, "a", "t1")), failures).select("source", "error_code").rows() == [
        ("delivery_failed_webhook", "2300052")]
    rejections = attempts(send(0, "a", None, success=False, code=2300042))
    assert error_codes_daily(rejections, events()).select("source", "error_code").rows() == [("send_api", "2300042")]
