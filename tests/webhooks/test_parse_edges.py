"""The parser's edges: the exact reason of each refusal, where an item's page and time come from
when it has none of its own, and lines read exactly (an id beyond 64 bits) that hold Messenger
events, campaign webhooks or items that cannot be read. Expected values are written out by hand."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.webhooks import parse
from pipelines.webhooks.messenger import CHANGE_COLUMNS, MESSENGER_COLUMNS
from pipelines.webhooks.parse import EVENT_COLUMNS, BadLine, parse_line
from tests.webhooks import samples as s

BIG = 123123123123123123123123  # beyond 64 bits: the line is read again by the standard library


def _line(document: object, big: bool = False) -> bytes:
    """The line of `document`; with `big`, its -1 ids become BIG (orjson cannot write them)."""
    raw = s.line(document)
    return raw.replace(b":-1", b":" + str(BIG).encode()) if big else raw


def _events(raw: bytes) -> list[dict]:
    events, _ = parse_line(raw)
    return [dict(zip(EVENT_COLUMNS, event, strict=True)) for event in events]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[1,2]", "wrong shape: a JSON list, not an object"),
        (b'"text"', "wrong shape: a JSON str, not an object"),
        (b'{"object":"page","entry":{}}', "wrong shape: entry is not a list"),
        (b'{"object":"page","entry":[]}', "no events: entry is empty"),
        (b'{"field":"marketing_message_reads","value":{"timestamp":1,"x":' + b"[" * 300 + b"]" * 300 + b"}}",
         "nested too deeply to store: Recursion limit reached"),
    ],
)
def test_a_line_refused_whole_says_exactly_why(raw, reason):
    with pytest.raises(BadLine) as refused:
        parse_line(raw)
    assert str(refused.value) == reason


def test_an_error_without_a_message_is_named_by_its_type(monkeypatch):
    def too_deep(document, exact=False):
        raise RecursionError

    monkeypatch.setattr(parse, "parse_document", too_deep)
    with pytest.raises(BadLine) as refused:
        parse_line(b"{}")
    assert str(refused.value) == "nested too deeply to store: RecursionError"


def test_an_entry_that_is_itself_an_item_takes_the_entrys_page_and_time():
    """`{id, time, field, value}` entries, and `{id, time, field, ...}` ones without `value`."""
    value = {"message_id": "55", "mid": "m.1"}  # no page_id, no timestamp of its own
    with_value = {"object": "page", "entry": [{"id": "777", "time": s.TS_MS, "field": "marketing_message_reads",
                                               "value": value}]}
    without_value = {"object": "page", "entry": [{"id": "777", "time": s.TS_MS, "field": "marketing_message_reads",
                                                  **value}]}
    for document in (with_value, without_value):
        (event,) = _events(s.line(document))
        assert (event["event_type"], event["page_id"], event["message_campaign_id"], event["mid"],
                event["event_ts_us"]) == ("read", "777", "55", "m.1", s.TS_MS * 1000)


def test_a_changes_item_without_a_page_takes_the_entry_id():
    (event,) = _events(s.line(s.changes(("marketing_message_clicks", {"message_id": "55", "timestamp": s.TS_S}),
                                        page=31337)))
    assert (event["page_id"], event["event_ts_us"]) == ("31337", s.TS_S * 1_000_000)


def test_a_messaging_item_without_a_recipient_takes_the_entry_id():
    _, extras = parse_line(s.line(s.messaging({"sender": {"id": "7001"}, "timestamp": s.TS_MS,
                                                "postback": {"title": "Shop"}}, page=31337)))
    (row,) = [dict(zip(MESSENGER_COLUMNS, r, strict=True)) for r in extras.messenger]
    assert (row["page_id"], row["sender_id"], row["postback_title"]) == ("31337", "7001", "Shop")


@pytest.mark.parametrize(
    ("document", "bad"),
    [
        ({"object": "page", "entry": [{"id": "1", "time": 1, "changes": [5, "x"]}]},
         [(1, "wrong shape: entry 0 changes 0 is not an object", b"5"),
          (2, "wrong shape: entry 0 changes 1 is not an object", b'"x"')]),
        ({"object": "page", "entry": [{"id": "1", "field": "marketing_message_reads", "value": {"message_id": "5"}}]},
         [(1, "missing timestamp (entry 0)",
           b'{"id":"1","field":"marketing_message_reads","value":{"message_id":"5"}}')]),
        ({"object": "page", "entry": [{"id": "1", "time": 1, "value": {"message_id": "5"}}]},
         [(1, "unknown event type: no field and no known keys (entry 0; keys id,time,value)",
           b'{"id":"1","time":1,"value":{"message_id":"5"}}')]),
        ({"object": "page", "entry": [{"id": "1", "time": 1, "changes": [
            {"field": "message_campaign", "value": {"id": "9", "timestamp": "yesterday"}}]}]},
         [(1, "timestamp is not a number or ISO-8601 date: 'yesterday' (entry 0 changes 0)",
           b'{"field":"message_campaign","value":{"id":"9","timestamp":"yesterday"}}')]),
        # orjson writes floats in its own way (1.5e-7, where Python writes 1.5e-07).
        ({"object": "page", "entry": [{"id": "1", "time": 1, "changes": [{"field": "feed", "value": {"x": 1.5e-07}}]}]},
         [(1, "unknown event type 'feed' (entry 0 changes 0)", b'{"field":"feed","value":{"x":1.5e-7}}')]),
    ],
)
def test_an_unreadable_item_is_quarantined_with_its_position_and_its_text(document, bad):
    _, extras = parse_line(s.line(document))
    assert extras.bad == bad


def test_an_item_nested_too_deeply_to_write_back_is_quarantined_as_pythons_text_of_it():
    raw = b'{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":' + b"[" * 300 \
        + b"]" * 300 + b"}]}]}"
    _, extras = parse_line(raw)
    assert extras.bad == [(1, "unknown event type 'feed' (entry 0 changes 0)",
                           b"{'field': 'feed', 'value': " + b"[" * 300 + b"]" * 300 + b"}")]


def test_an_ad_account_webhook_of_any_field_is_a_campaign_change():
    document = {"object": "ad_account", "entry": [{"id": "1001", "time": s.TS_S, "changes": [
        {"field": "spend_cap", "value": {"id": "1001", "status": "ACTIVE"}}]}]}
    _, extras = parse_line(s.line(document))
    assert extras.bad == [] and extras.messenger == []
    (row,) = [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in extras.changes]
    assert (row["object"], row["field"], row["ad_account_id"], row["entity_id"], row["status"]) == (
        "ad_account", "spend_cap", "1001", "1001", "ACTIVE")


def test_a_line_read_exactly_keeps_big_ids_in_every_table():
    """One id beyond 64 bits sends the whole line to the standard library: Messenger events,
    campaign webhooks and quarantined items of that line keep their big integers exactly."""
    document = {"object": "page", "entry": [
        {"id": "1", "time": s.TS_MS, "messaging": [{"sender": {"id": -1}, "recipient": {"id": "9"},
                                                     "postback": {"title": "Shop"}}]},
        {"id": "1", "time": s.TS_MS, "changes": [{"field": "message_campaign", "value": {"id": -1}},
                                                  {"field": "feed", "value": {"id": -1}}]},
    ]}
    _, extras = parse_line(_line(document, big=True))
    (message,) = [dict(zip(MESSENGER_COLUMNS, r, strict=True)) for r in extras.messenger]
    assert (message["sender_id"], message["page_id"]) == (str(BIG), "9")
    assert message["payload"] == f'{{"sender":{{"id":{BIG}}},"recipient":{{"id":"9"}},"postback":{{"title":"Shop"}}}}'
    (change,) = [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in extras.changes]
    assert (change["entity_id"], change["value"]) == (str(BIG), f'{{"id":{BIG}}}')
    assert extras.bad == [(3, "unknown event type 'feed' (entry 1 changes 1)",
                           f'{{"field":"feed","value":{{"id":{BIG}}}}}'.encode())]


def test_an_upload_status_read_exactly_has_one_key_in_any_key_order():
    """The upload status's key includes its content with keys sorted, on the exact path too."""
    status = s.upload_status() | {"business_id": -1}
    backwards = dict(reversed(list(status.items())))
    first, second = (_events(_line(s.changes(("marketing_messages_subscriber_upload_status", v)), big=True))[0]
                     for v in (status, backwards))
    assert first["event_key"] == second["event_key"]
    assert first["payload"] != second["payload"]  # the payload keeps the order it came in


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"field": "f" * 100, "value": {}}, f"unknown event type {'f' * 80!r} (top-level object)"),
        ({"field": 5, "value": {}}, "unknown event type '5' (top-level object)"),
        # `message_id` alone is not a delivery failure: that takes `error_message` too.
        ({"message_id": "1", "timestamp": 1}, "unknown event type: no field and no known keys (top-level object; "
                                              "keys message_id,timestamp)"),
        ({f"k{n}": n for n in range(10)},
         "unknown event type: no field and no known keys (top-level object; keys k0,k1,k2,k3,k4,k5,k6,k7)"),
    ],
)
def test_an_item_of_a_kind_nobody_knows_is_named_in_its_reason(item, reason):
    _, extras = parse_line(s.line(item))
    assert [why for _, why, _ in extras.bad] == [reason]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


US = "\x1f"  # the separator of the key's parts


def test_event_keys_are_the_md5_of_the_documented_text():
    """`event_key`'s docstring: type, then page, campaign, recipient, token, tracking id, mid, app,
    business ('' when absent), microseconds, 'n' or 'm' + error message, joined by U+001F; an
    upload status adds its content with keys sorted. The texts are written out here by hand."""
    click = _events(s.line(s.changes(("marketing_message_clicks", {"message_id": "55", "recipient_id": 7,
                                                                   "timestamp": s.TS_S}), page=9)))[0]
    assert click["event_key"] == _md5(US.join(["click", "9", "55", "7", "", "", "", "", "", "1764201600000000", "n"]))
    failed = _events(s.line(s.delivery_failed()))[0]
    assert failed["event_key"] == _md5(US.join([
        "delivery_failed", str(s.PAGE), "124141414124", "", "12348141984909088", "", "", "12313123123123",
        "134141414124123", "1764201600000000", "mUnknown Error"]))
    # Keys out of order and a float as orjson writes it (Python would write 1.5e-07).
    status = {"timestamp": s.TS_S, "page_id": 1, "num_rows": 1.5e-07, "batch_uploading_status": "SUCCESS"}
    upload = _events(s.line(s.changes(("marketing_messages_subscriber_upload_status", status))))[0]
    assert upload["event_key"] == _md5(US.join(["subscriber_upload_status", "1", "", "", "", "", "", "", "",
                                                "1764201600000000", "n"]) + US
                                       + '{"batch_uploading_status":"SUCCESS","num_rows":1.5e-7,"page_id":1,'
                                         '"timestamp":1764201600}')


def test_an_upload_status_read_exactly_is_keyed_by_its_sorted_content():
    status = {"timestamp": s.TS_S, "page_id": 1, "business_id": -1, "num_rows": 1.5e-07}
    (upload,) = _events(_line(s.changes(("marketing_messages_subscriber_upload_status", status)), big=True))
    assert upload["event_key"] == _md5(US.join(["subscriber_upload_status", "1", "", "", "", "", "", "", str(BIG),
                                                "1764201600000000", "n"]) + US
                                       + f'{{"business_id":{BIG},"num_rows":1.5e-07,"page_id":1,'
                                         '"timestamp":1764201600}')
    assert upload["payload"] == f'{{"timestamp":1764201600,"page_id":1,"business_id":{BIG},"num_rows":1.5e-07}}'


def test_a_marketing_event_in_the_messenger_shape_takes_sender_and_recipient():
    """Sender is the person (PSID), recipient the Page; either may be missing or not an object,
    and then the entry's id stands for the Page."""
    def one(value: dict) -> tuple:
        (event,) = _events(s.line(s.changes(("marketing_message_clicks", {"message_id": "55", "timestamp": s.TS_S,
                                                                          "recipient_id": "8", "page_id": "6",
                                                                          **value}), page=31337)))
        return event["recipient_id"], event["page_id"]

    assert one({"sender": {"id": "7001"}, "recipient": {"id": "9"}}) == ("7001", "9")
    assert one({"sender": {"id": 7001}}) == ("7001", "31337")
    assert one({"recipient": {"id": 9}}) == (None, "9")
    assert one({"sender": "7001", "recipient": 9}) == (None, "31337")
    assert one({}) == ("8", "6")  # the flat shape


def test_ids_given_as_text_are_kept_as_sent():
    """Only '' (and '0' for the recipient) become NULL; the SQL lane keeps text ids as sent too."""
    (event,) = _events(s.line(s.changes(("marketing_message_reads", {
        "message_id": " 55 ", "mid": "", "recipient_id": " 7", "timestamp": s.TS_S}))))
    assert (event["message_campaign_id"], event["mid"], event["recipient_id"]) == (" 55 ", None, " 7")


@pytest.mark.parametrize(
    ("error_message", "stored", "reason"),
    [
        (42, "42", None),
        (["x"], None, "error_message is a list, not text (top-level object)"),
        ({"a": 1}, None, "error_message is a dict, not text (top-level object)"),
    ],
)
def test_an_error_message_is_text_or_a_whole_number(error_message, stored, reason):
    item = s.delivery_failed() | {"error_message": error_message}
    events, extras = parse_line(s.line(item))
    if reason is None:
        (event,) = [dict(zip(EVENT_COLUMNS, e, strict=True)) for e in events]
        assert event["error_message"] == stored
        assert event["event_key"] == _md5(US.join([
            "delivery_failed", str(s.PAGE), "124141414124", "", "12348141984909088", "", "", "12313123123123",
            "134141414124123", "1764201600000000", "m42"]))
    else:
        assert events == [] and [why for _, why, _ in extras.bad] == [reason]
