"""Envelopes -> typed events: every event type and shape the reference allows (§4.1, §4.2), the
event as the unit (a mixed POST lands every event it can read), standard Messenger events and
campaign webhooks in their own tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipelines.webhooks.messenger import CHANGE_COLUMNS, MESSENGER_COLUMNS
from pipelines.webhooks.parse import EVENT_COLUMNS, BadLine, epoch_us, parse_line
from tests.webhooks import samples as s


def _one(document: object) -> dict:
    events, extras = parse_line(s.line(document))
    assert len(events) == 1 and extras is None
    return dict(zip(EVENT_COLUMNS, events[0], strict=True))


def _messenger(document: object) -> list[dict]:
    events, extras = parse_line(s.line(document))
    assert events == [] and extras.changes == [] and extras.bad == []
    return [dict(zip(MESSENGER_COLUMNS, row, strict=True)) for row in extras.messenger]


FIELDS = [
    ("marketing_message_echoes", "echo", s.echo()),
    ("marketing_message_deliveries", "delivery", s.echo()),
    ("marketing_message_reads", "read", {k: v for k, v in s.echo().items() if k != "mid"}),
    ("marketing_message_clicks", "click",
     {k: v for k, v in s.echo().items() if k not in ("marketing_message_tracking_id", "app_id")}),
    ("marketing_message_delivery_failed", "delivery_failed", s.delivery_failed()),
    ("marketing_messages_subscriber_upload_status", "subscriber_upload_status", s.upload_status()),
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
    events, _ = parse_line(raw.replace(b'"recipient_id":-1', b'"recipient_id":123123123123123123123123'))
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


def test_postbacks_and_optins_are_standard_messenger_events():
    (post,) = _messenger(s.messaging(s.postback()))
    assert {k: post[k] for k in ("event_type", "page_id", "sender_id", "mid", "postback_title", "postback_payload",
                                 "referral_ref", "referral_source", "event_ts_us")} == {
        "event_type": "postback", "page_id": str(s.PAGE), "sender_id": "7001", "mid": "m_MESSAGE_ID",
        "postback_title": "Shop", "postback_payload": "P", "referral_ref": "r", "referral_source": "SHORT_URL",
        "event_ts_us": 1527459824 * 1_000_000}
    (opt,) = _messenger(s.messaging(s.optin()))
    assert (opt["event_type"], opt["sender_id"], opt["subscription_token"], opt["event_ts_us"]) == (
        "optin", "7002", "tok-1", s.TS_MS * 1000)
    # The same postback as a `changes` item (the reference's sample shape) is the same event.
    (as_change,) = _messenger(s.changes(("messaging_postbacks", s.postback())))
    assert as_change["event_key"] == post["event_key"]


QUICK_REPLY = {"sender": {"id": "7003"}, "recipient": {"id": str(s.PAGE)}, "timestamp": s.TS_MS,
               "message": {"mid": "m_QR", "text": "Yes please", "quick_reply": {"payload": "WANT_DEAL"}}}
DELIVERY = {"sender": {"id": "7003"}, "recipient": {"id": str(s.PAGE)},
            "delivery": {"mids": ["mid.1458668856218:ed81099e15d3f4f233"], "watermark": 1458668856253}}
READ = {"sender": {"id": "7003"}, "recipient": {"id": str(s.PAGE)}, "timestamp": 1458668856463,
        "read": {"watermark": 1458668856253}}


def test_messages_deliveries_and_reads_are_typed():
    """Reference §4.2: quick replies arrive as `messages`; deliveries and reads carry watermarks (a
    delivery without a timestamp takes the entry's time)."""
    message, delivery, read = _messenger(s.messaging(QUICK_REPLY, DELIVERY, READ, time=1458668856999))
    assert (message["event_type"], message["mid"], message["message_text"], message["quick_reply_payload"]) == (
        "message", "m_QR", "Yes please", "WANT_DEAL")
    assert (delivery["event_type"], delivery["watermark_us"], delivery["event_ts_us"]) == (
        "delivery", 1458668856253000, 1458668856999000)
    assert (read["event_type"], read["watermark_us"], read["event_ts_us"]) == ("read", 1458668856253000, 1458668856463000)


def test_other_messenger_events_are_kept_whole():
    reaction = {"sender": {"id": "7003"}, "recipient": {"id": "9"}, "timestamp": s.TS_MS,
                "reaction": {"reaction": "love", "emoji": "\u2764", "action": "react", "mid": "m_1"}}
    (kept,) = _messenger(s.messaging(reaction))
    assert (kept["event_type"], kept["sender_id"], kept["mid"], kept["postback_payload"]) == ("reaction", "7003", None, None)
    assert kept["payload"] == s.line(reaction).decode()
    (echo,) = _messenger(s.changes(("message_echoes", {"sender": {"id": "9"}, "recipient": {"id": "7003"},
                                                      "timestamp": s.TS_MS, "message": {"is_echo": True}})))
    assert echo["event_type"] == "echo"


def test_a_mixed_post_lands_every_event_and_quarantines_only_the_unknown_item():
    """The event is the unit: marketing-message events, standard Messenger events and an item of a
    kind nobody knows, in one POST."""
    document = s.changes(("marketing_message_deliveries", s.echo(1)), ("messages", QUICK_REPLY), ("feed", {"x": 1}),
                         ("marketing_message_reads", s.echo(2)))
    document["entry"].append(s.messaging(s.postback(), {"sender": {"id": "1"}, "mystery": {}})["entry"][0])
    events, extras = parse_line(s.line(document))
    assert [e[1] for e in events] == ["delivery", "read"]
    assert [row[1] for row in extras.messenger] == ["message", "postback"]
    assert extras.bad == [
        (3, "unknown event type 'feed' (entry 0 changes 2)", b'{"field":"feed","value":{"x":1}}'),
        (6, "unknown event type: no field and no known keys (entry 1 messaging 1; keys mystery,sender)",
         b'{"sender":{"id":"1"},"mystery":{}}'),
    ]


def test_an_unreadable_item_does_not_take_its_siblings_down():
    document = s.changes(("marketing_message_reads", {"message_id": 1}), ("marketing_message_deliveries", s.echo(1)),
                         time=None)
    events, extras = parse_line(s.line(document))
    assert [e[1] for e in events] == ["delivery"]
    assert extras.bad == [(1, "missing timestamp (entry 0 changes 0)",
                           b'{"field":"marketing_message_reads","value":{"message_id":1}}')]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"object": "ad_account", "entry": [{"id": "1001", "time": s.TS_S, "changes": [
            {"field": "in_process_ad_objects", "value": {"id": "555", "status": "ACTIVE"}}]}]},
         {"object": "ad_account", "field": "in_process_ad_objects", "ad_account_id": "1001", "entity_id": "555",
          "status": "ACTIVE", "event_ts_us": s.TS_S * 1_000_000}),
        ({"object": "page", "entry": [{"id": str(s.PAGE), "time": s.TS_MS, "changes": [
            {"field": "message_campaign", "value": {"message_campaign_id": 124141414124, "ad_account_id": "act_1001",
                                                    "effective_status": "ACTIVE"}}]}]},
         {"object": "page", "field": "message_campaign", "ad_account_id": "1001", "entity_id": "124141414124",
          "status": "ACTIVE", "event_ts_us": s.TS_MS * 1000}),
        ({"object": "page", "entry": [{"id": str(s.PAGE), "changes": [{"field": "message_campaign_group",
                                                                        "value": {"id": "77"}}]}]},
         {"object": "page", "field": "message_campaign_group", "ad_account_id": None, "entity_id": "77",
          "status": None, "event_ts_us": None}),
    ],
)
def test_campaign_webhooks_are_kept_whole_beside_what_can_be_read(document, expected):
    """Changelog Apr 10, 2026 mentions these webhooks; their shapes are INFERRED."""
    events, extras = parse_line(s.line(document))
    assert events == [] and extras.bad == [] and extras.messenger == []
    (row,) = [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in extras.changes]
    assert {k: row[k] for k in expected} == expected
    assert row["payload"] == s.line(document["entry"][0]["changes"][0]).decode()


def test_batched_entries_and_changes_all_parse():
    document = s.changes(*[("marketing_message_deliveries", s.echo(n)) for n in range(5)])
    document["entry"].append(s.messaging(s.optin())["entry"][0])
    events, extras = parse_line(s.line(document))
    assert [e[1] for e in events] == ["delivery"] * 5
    assert len({e[0] for e in events}) == 5
    assert [row[1] for row in extras.messenger] == ["optin"]


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
        (b'{"object":"page","entry":[]}', "no events"),
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


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"object":"page","entry":[{"id":"1"}]}', "wrong shape: entry 0 has no changes or messaging"),
        (b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"timestamp":1}}]}]}',
         "unknown event type 'feed' (entry 0 changes 0)"),
        (b'{"foo":1}', "unknown event type: no field and no known keys (top-level object; keys foo)"),
        (b'{"field":"marketing_message_reads","value":{"message_id":1}}', "missing timestamp (top-level object)"),
        (b'{"field":"marketing_message_reads","value":{"message_id":1.5,"timestamp":1}}',
         "message_id is not a whole number: 1.5"),
        (b'{"field":"marketing_message_reads","value":{"message_id":{"a":1},"timestamp":1}}',
         "message_id is a dict, not an id"),
        (b'{"field":"marketing_message_reads","value":{"message_id":true,"timestamp":1}}',
         "message_id is a boolean, not an id"),
        (b'{"field":"marketing_message_reads","value":{"timestamp":"yesterday"}}',
         "timestamp is not a number or ISO-8601 date: 'yesterday' (top-level object)"),
        (b'{"field":"marketing_message_reads","value":[1]}', "wrong shape: value is not an object (top-level object)"),
        (b'{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":true},"message":{}}]}]}',
         "sender.id is a bool, not text (entry 0 messaging 0)"),
    ],
)
def test_the_only_item_of_a_line_quarantined_alone(raw, reason):
    events, extras = parse_line(raw)
    assert events == [] and extras.messenger == [] and extras.changes == []
    ((item, why, _),) = extras.bad
    assert (item, why) == (1, reason)


def test_a_line_read_exactly_keeps_its_payload_as_compact_text_in_its_own_order():
    """An id beyond 64 bits sends the line to the standard library's reader: the payload it writes
    must be what orjson's path writes, compact, keys in their order, UTF-8 as sent."""
    raw = s.line(s.changes(("marketing_message_echoes", {"recipient_id": -1, "mid": "mid.é", "timestamp": s.TS_S})))
    events, _ = parse_line(raw.replace(b'"recipient_id":-1', b'"recipient_id":123123123123123123123123'))
    payload = dict(zip(EVENT_COLUMNS, events[0], strict=True))["payload"]
    assert payload == '{"recipient_id":123123123123123123123123,"mid":"mid.é","timestamp":1764201600}'


def test_envelope_parts_of_the_wrong_shape_are_quarantined_with_their_reason_and_text():
    postback = s.messaging(s.postback())["entry"][0]["messaging"][0]
    document = {"object": "page", "entry": [
        5, {"id": "1", "time": 1, "changes": "x", "messaging": [postback]}, {"id": "1", "time": 1},
        {"id": str(s.PAGE), "time": 1, "changes": [{"field": "marketing_message_reads", "value": s.echo(2)}]}]}
    events, extras = parse_line(s.line(document))
    assert [e[1] for e in events] == ["read"] and [row[1] for row in extras.messenger] == ["postback"]
    assert extras.bad == [(1, "wrong shape: entry 0 is not an object", b"5"),
                          (2, "wrong shape: entry 1 changes is not a list", b'"x"'),
                          (4, "wrong shape: entry 2 has no changes or messaging", b'{"id":"1","time":1}')]
