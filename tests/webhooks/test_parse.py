"""Envelopes -> typed events: every event type and shape the reference allows (§4.1, §4.2)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipelines.webhooks.parse import EVENT_COLUMNS, BadLine, epoch_us, parse_line
from tests.webhooks import samples as s


def _one(document: object) -> dict:
    events = parse_line(s.line(document))
    assert len(events) == 1
    return dict(zip(EVENT_COLUMNS, events[0], strict=True))


FIELDS = [
    ("marketing_message_echoes", "echo", s.echo()),
    ("marketing_message_deliveries", "delivery", s.echo()),
    ("marketing_message_reads", "read", {k: v for k, v in s.echo().items() if k != "mid"}),
    ("marketing_message_clicks", "click",
     {k: v for k, v in s.echo().items() if k not in ("marketing_message_tracking_id", "app_id")}),
    ("marketing_message_delivery_failed", "delivery_failed", s.delivery_failed()),
    ("marketing_messages_subscriber_upload_status", "subscriber_upload_status", s.upload_status()),
    ("messaging_postbacks", "postback", s.postback()),
    ("messaging_optins", "optin", s.optin()),
]


@pytest.mark.parametrize(("field", "event_type", "value"), FIELDS, ids=[f[1] for f in FIELDS])
@pytest.mark.parametrize("shape", ["changes", "flat-item", "top-level-flat", "entry-is-item", "value-repeats-field"])
def test_every_event_type_in_every_envelope(field, event_type, value, shape):
    """Meta documents only the inner objects, so each type must parse in each plausible envelope,
    and the event key must not depend on the envelope (a redelivery in another shape lands once)."""
    documents = {
        "changes": s.changes((field, value)),
        "flat-item": {"object": "page", "entry": [{"id": "1", "time": 1, "changes": [{"field": field, **value}]}]},
        "top-level-flat": {"field": field, **value},
        "entry-is-item": {"object": "page", "entry": [{"id": str(s.PAGE), "time": 1, "field": field, "value": value}]},
        "value-repeats-field": s.changes((field, {"field": field, **value})),
    }
    event = _one(documents[shape])
    assert event["event_type"] == event_type
    assert event["event_key"] == _one(s.changes((field, value)))["event_key"]


def test_echo_columns_are_exact_text():
    # orjson cannot write an integer beyond 64 bits, so the line is spliced by hand.
    raw = s.line(s.changes(("marketing_message_echoes", s.echo(recipient_id=-1))))
    events = parse_line(raw.replace(b'"recipient_id":-1', b'"recipient_id":123123123123123123123123'))
    event = dict(zip(EVENT_COLUMNS, events[0], strict=True))
    assert event["recipient_id"] == "123123123123123123123123"  # beyond 64 bits, still exact
    assert event["page_id"] == str(s.PAGE)
    assert event["app_id"] == "12313123123123"
    assert event["message_campaign_id"] == "124141414124"
    assert event["subscription_token"] == "12348141984909088"
    assert event["tracking_id"] == "98ecd977-245a-4ec0-a8e0-000000000000"
    assert event["mid"] == "mid.$c0"
    assert event["event_ts_us"] == s.TS_S * 1_000_000


@pytest.mark.parametrize("recipient", [None, 0, "0", "", "absent"])
def test_recipient_null_zero_or_absent_is_null(recipient):
    """Clicks and reads carried recipient_id=0 before Jan 22, 2026, null after; CA subscribers have none."""
    value = {k: v for k, v in s.echo().items() if k != "recipient_id"}
    if recipient != "absent":
        value["recipient_id"] = recipient
    assert _one(s.changes(("marketing_message_clicks", value)))["recipient_id"] is None


def test_missing_tracking_id_and_mid():
    value = {k: v for k, v in s.echo().items() if k not in ("mid", "marketing_message_tracking_id")}
    event = _one(s.changes(("marketing_message_deliveries", value)))
    assert event["tracking_id"] is None and event["mid"] is None


def test_delivery_failed_without_field_key():
    event = _one(s.delivery_failed())
    assert event["event_type"] == "delivery_failed"
    assert event["error_message"] == "Unknown Error"
    assert event["business_id"] == "134141414124123"


def test_messenger_shapes_take_person_and_page_from_sender_and_recipient():
    post = _one(s.messaging(s.postback()))
    assert (post["event_type"], post["recipient_id"], post["page_id"], post["mid"]) == (
        "postback", "7001", str(s.PAGE), "m_MESSAGE_ID")
    opt = _one(s.messaging(s.optin()))
    assert (opt["event_type"], opt["subscription_token"]) == ("optin", "tok-1")
    assert opt["event_ts_us"] == s.TS_MS * 1000


def test_batched_entries_and_changes_all_parse():
    document = s.changes(*[("marketing_message_deliveries", s.echo(n)) for n in range(5)])
    document["entry"].append(s.messaging(s.optin())["entry"][0])
    events = parse_line(s.line(document))
    assert [e[1] for e in events] == ["delivery"] * 5 + ["optin"]
    assert len({e[0] for e in events}) == 6


def test_timestamp_falls_back_to_entry_time():
    value = {k: v for k, v in s.echo().items() if k != "timestamp"}
    assert _one(s.changes(("marketing_message_echoes", value), time=s.TS_MS))["event_ts_us"] == s.TS_MS * 1000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1764201600, datetime(2025, 11, 27, tzinfo=timezone.utc)),
        (1764201600123, datetime(2025, 11, 27, 0, 0, 0, 123000, tzinfo=timezone.utc)),
        ("1764201600", datetime(2025, 11, 27, tzinfo=timezone.utc)),
        (1764201600.5, datetime(2025, 11, 27, 0, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2025-11-27T00:00:00Z", datetime(2025, 11, 27, tzinfo=timezone.utc)),
        ("2025-11-27T01:00:00+01:00", datetime(2025, 11, 27, tzinfo=timezone.utc)),
        (41412414141, datetime(3282, 4, 22, 8, 22, 21, tzinfo=timezone.utc)),  # Meta's sample value: seconds
    ],
)
def test_epoch_us_detects_the_unit_by_magnitude(value, expected):
    """The unit is undocumented: seconds and milliseconds (and strings, ISO dates) must all work."""
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert epoch_us(value) == (expected - epoch) // timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"object":"page","entry":[{"id":"1","changes":[{"field":"mar', "not JSON"),
        (b"hello", "not JSON"),
        (b"[1,2]", "wrong shape"),
        (b'{"object":"page","entry":{}}', "wrong shape"),
        (b'{"object":"page","entry":[{"id":"1"}]}', "wrong shape"),
        (b'{"object":"page","entry":[]}', "no events"),
        (b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"timestamp":1}}]}]}',
         "unknown event type"),
        (b'{"foo":1}', "unknown event type"),
        (b'{"field":"marketing_message_reads","value":{"message_id":1}}', "missing timestamp"),
        (b'{"field":"marketing_message_reads","value":{"message_id":1.5,"timestamp":1}}', "not a whole number"),
        (b'{"field":"marketing_message_reads","value":{"message_id":{"a":1},"timestamp":1}}', "not an id"),
        (b'{"field":"marketing_message_reads","value":{"timestamp":"yesterday"}}', "timestamp"),
        (b'{"field":"marketing_message_reads","value":[1]}', "wrong shape"),
        # Deep but valid JSON: orjson writes back at most 254 levels, the standard library about 1000.
        (b'{"field":"marketing_message_reads","value":{"timestamp":1,"x":' + b"[" * 300 + b"]" * 300 + b"}}",
         "nested too deeply to store"),
        (b'{"field":"marketing_message_reads","value":{"message_id":1.5,"timestamp":1,"x":' + b"[" * 1000
         + b"]" * 1000 + b"}}", "nested too deeply to store"),
    ],
)
def test_bad_lines_raise_with_a_reason(raw, reason):
    with pytest.raises(BadLine, match=reason):
        parse_line(raw)
