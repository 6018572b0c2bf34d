"""Send-log lines -> attempts: successes keep the tracking id, errors are parsed in full."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from pipelines.webhooks.parse import BadLine
from pipelines.webhooks.sends import ATTEMPT_COLUMNS, parse_send_line
from tests.webhooks import samples as s


def _parse(record: object) -> dict:
    return dict(zip(ATTEMPT_COLUMNS, parse_send_line(orjson.dumps(record)), strict=True))


def test_success_keeps_tracking_id_and_strips_act_prefix():
    attempt = _parse(s.send_ok(3))
    assert attempt["success"] is True
    assert attempt["tracking_id"] == "trk-3"
    assert attempt["ad_account_id"] == "1001"
    assert attempt["message_campaign_id"] == "124141414124"
    assert attempt["error_code"] is None and attempt["remaining_seconds"] is None


@pytest.mark.parametrize(
    "error_data",
    [{"remaining_seconds": 1800}, '{"remaining_seconds": 1800}', {"remaining_seconds": "1800"}],
    ids=["object", "json-string", "string-number"],
)
def test_error_fields_and_remaining_seconds_in_any_shape(error_data):
    """`error_data` arrives as an object or as a JSON-encoded string (reference §5.1)."""
    attempt = _parse(s.send_error(error_data=error_data))
    assert attempt["success"] is False
    assert (attempt["error_code"], attempt["error_subcode"], attempt["error_type"]) == (2300068, 2446079, "OAuthException")
    assert attempt["error_message"] == "Try again later"
    assert attempt["is_transient"] is True
    assert attempt["remaining_seconds"] == 1800
    assert attempt["tracking_id"] is None


@pytest.mark.parametrize("error_data", [None, "not json", "[]"])
def test_error_without_usable_error_data(error_data):
    assert _parse(s.send_error(error_data=error_data))["remaining_seconds"] is None


def _error_line(error: str) -> bytes:
    """A rejected send as a sender logs it, with `error` as the body of the Graph error envelope."""
    return (b'{"ts":1764201600,"ad_account_id":"act_1001","message_id":"124141414124","subscription_token":"tok-1",'
            b'"http_status":400,"response":{"error":{"message":"This recipient can\'t receive any more marketing '
            b'messages at this time.","type":"OAuthException",' + error.encode() + b',"fbtrace_id":"AbC"}}}')


# Frequency caps are named since Apr 10, 2026 and the reference does not say where the name comes (§5.1, §5.6).
@pytest.mark.parametrize(
    ("error", "code", "subcode", "name"),
    [
        ('"code":2300042', 2300042, None, None),
        ('"code":"2300042"', 2300042, None, None),
        ('"code":100,"error_subcode":2300043', 100, 2300043, None),
        ('"code":"WEEKLY_MM_LOAD_CAP_REACHED"', None, None, "WEEKLY_MM_LOAD_CAP_REACHED"),
        ('"code":" DAILY_MM_LOAD_CAP_REACHED "', None, None, "DAILY_MM_LOAD_CAP_REACHED"),
        ('"code":100,"error_subcode":"MIN_ORGANIC_THREAD_NOT_REACHED"', 100, None, "MIN_ORGANIC_THREAD_NOT_REACHED"),
        ('"code":100,"error_user_title":"WEEKLY_MM_LOAD_CAP_REACHED","error_user_msg":"Try later"', 100, None,
         "WEEKLY_MM_LOAD_CAP_REACHED"),
        ('"code":2300042,"error_user_title":"WEEKLY_MM_LOAD_CAP_REACHED"', 2300042, None, "WEEKLY_MM_LOAD_CAP_REACHED"),
        ('"code":100,"error_user_title":"Message Not Sent"', 100, None, None),  # a title for people, not a code
        ('"code":100,"error_data":{"error_code":"DAILY_MM_LOAD_CAP_REACHED"}', 100, None, "DAILY_MM_LOAD_CAP_REACHED"),
        ('"code":100,"error_data":"{\\"error_code\\":\\"DAILY_MM_LOAD_CAP_REACHED\\"}"', 100, None,
         "DAILY_MM_LOAD_CAP_REACHED"),
        ('"code":100,"error_data":"MIN_ORGANIC_THREAD_NOT_REACHED"', 100, None, "MIN_ORGANIC_THREAD_NOT_REACHED"),
        ('"code":100,"error_data":{"code":2300044,"remaining_seconds":60}', 100, None, "2300044"),
        ('"code":100,"error_data":{"remaining_seconds":60}', 100, None, None),
        ('"code":"abc"', None, None, "abc"),  # any text: kept for the mart to classify, never quarantined
        ('"code":"\u00b2"', None, None, "\u00b2"),
        ('"code":"","error_subcode":"  "', None, None, None),
    ],
    ids=["number", "digits", "generic-with-subcode", "name-in-code", "name-padded", "name-in-subcode",
         "name-in-title", "number-and-title", "title-for-people", "name-in-error-data-object",
         "name-in-error-data-json-string", "bare-name-error-data", "number-in-error-data", "error-data-without-code",
         "free-text-code", "superscript-digit", "blank-codes"],
)
def test_error_code_as_number_or_name(error, code, subcode, name):
    attempt = dict(zip(ATTEMPT_COLUMNS, parse_send_line(_error_line(error)), strict=True))
    assert (attempt["error_code"], attempt["error_subcode"], attempt["error_name"]) == (code, subcode, name)
    assert attempt["success"] is False


@pytest.mark.parametrize(
    ("ts", "expected_us"),
    [(s.TS_S, s.TS_S * 1_000_000), ("2025-11-27T00:00:00Z", s.TS_S * 1_000_000),
     ("2025-11-27T00:00:00.250+00:00", s.TS_S * 1_000_000 + 250_000), (s.TS_S * 1000, s.TS_S * 1_000_000)],
)
def test_ts_seconds_or_iso(ts, expected_us):
    assert _parse(s.send_ok(ts=ts))["ts_us"] == expected_us


def test_response_logged_as_a_json_string():
    record = s.send_ok(1)
    record["response"] = orjson.dumps(record["response"]).decode()
    assert _parse(record)["tracking_id"] == "trk-1"


def test_same_line_twice_has_the_same_key_and_different_lines_differ():
    assert _parse(s.send_ok(1))["attempt_key"] == _parse(dict(reversed(s.send_ok(1).items())))["attempt_key"]
    assert _parse(s.send_ok(1))["attempt_key"] != _parse(s.send_ok(2))["attempt_key"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"{not json", "not JSON"), (b"[]", "wrong shape"), (b'{"ad_account_id":"1"}', "missing ts"),
     (b'{"ts":1764201600,"response":"oops"}', "not JSON"), (b'{"ts":1764201600,"response":[1]}', "wrong shape"),
     (b'{"ts":1764201600,"response":{"error":{"code":{"name":"x"}}}}', "error.code is not a whole number"),
     (b'{"ts":"soon"}', "timestamp"),
     # Numbers beyond the column's type, and digits other than ASCII's, are the line's fault, not the run's.
     (b'{"ts":1764201600,"http_status":2147483648}', "http_status is out of range"),
     (b'{"ts":1764201600,"http_status":1e30}', "http_status is out of range"),
     (b'{"ts":1764201600,"response":{"error":{"code":9223372036854775808}}}', "error.code is out of range"),
     (b'{"ts":1764201600,"response":{"error":{"error_subcode":"-99999999999999999999"}}}', "out of range"),
     (b'{"ts":1764201600,"response":{"error":{"error_data":{"remaining_seconds":1e19}}}}', "out of range"),
     ('{"ts":1764201600,"http_status":"\u00b2"}'.encode(), "http_status is not a whole number"),
     (b'{"ts":1764201600,"http_status":"--5"}', "http_status is not a whole number"),
     (b'{"ts":1764201600,"response":{"error":{"code":"' + b"9" * 5000 + b'"}}}', "error.code is out of range"),
     (b'{"ts":1764201600,"x":' + b"[" * 1000 + b"]" * 1000 + b"}", "nested too deeply to store")],
)
def test_bad_send_lines(raw, reason):
    with pytest.raises(BadLine, match=reason):
        parse_send_line(raw)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # The line's content with keys sorted and nothing between tokens, UTF-8 as sent.
        ('{"ts": 1764201600, "subscription_token": "café", "ad_account_id": "1"}'.encode(),
         '{"ad_account_id":"1","subscription_token":"café","ts":1764201600}'.encode()),
        # 300 levels of nesting are more than orjson writes: the stdlib's writer must give the same shape.
        (b'{"x": ' + b"[" * 300 + b"]" * 300 + b', "ts": 1764201600}',
         b'{"ts":1764201600,"x":' + b"[" * 300 + b"]" * 300 + b"}"),
    ],
    ids=["orjson", "deeply-nested"],
)
def test_attempt_key_is_the_hash_of_the_sorted_compact_line(raw: bytes, canonical: bytes):
    assert parse_send_line(raw)[0] == hashlib.blake2b(canonical, digest_size=16).hexdigest()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"[]", "wrong shape: a JSON list, not an object"), (b'{"ad_account_id":"1"}', "missing ts"),
     (b'{"ts":1764201600,"response":"oops"}', "response is a string that is not JSON"),
     (b'{"ts":1764201600,"response":[1]}', "wrong shape: response is not an object"),
     (b'{"ts":1764201600,"response":{"error":"denied"}}', "wrong shape: response.error is not an object"),
     (b'{"ts":1764201600,"x":' + b"[" * 1000 + b"]" * 1000 + b"}", "nested too deeply to store"),
     # Each field names itself.
     (b'{"ts":"soon"}', "timestamp is not a number or ISO-8601 date: 'soon' (ts)"),
     (b'{"ts":1764201600,"ad_account_id":[1]}', "ad_account_id is a list, not text or an integer id"),
     (b'{"ts":1764201600,"message_id":true}', "message_id is a bool, not text or an integer id"),
     (b'{"ts":1764201600,"subscription_token":{}}', "subscription_token is a dict, not text or an integer id"),
     (b'{"ts":1764201600,"http_status":"ok"}', "http_status is not a whole number: 'ok'"),
     (b'{"ts":1764201600,"response":{"marketing_message_tracking_id":1.5}}',
      "marketing_message_tracking_id is a float, not text or an integer id"),
     (b'{"ts":1764201600,"response":{"error":{"code":1.5}}}', "error.code is not a whole number: '1.5'"),
     (b'{"ts":1764201600,"response":{"error":{"error_subcode":1.5}}}', "error.error_subcode is not a whole number: '1.5'"),
     (b'{"ts":1764201600,"response":{"error":{"type":[]}}}', "error.type is a list, not text or an integer id"),
     (b'{"ts":1764201600,"response":{"error":{"message":{}}}}', "error.message is a dict, not text or an integer id"),
     (b'{"ts":1764201600,"response":{"error":{"error_data":{"remaining_seconds":"soon"}}}}',
      "error_data.remaining_seconds is not a whole number: 'soon'")],
)
def test_quarantine_reasons_are_exact(raw, reason):
    """The reason is what the quarantine records, word for word."""
    with pytest.raises(BadLine) as caught:
        parse_send_line(raw)
    assert str(caught.value) == reason


def test_an_account_id_beyond_64_bits_is_kept_exact():
    attempt = dict(zip(ATTEMPT_COLUMNS, parse_send_line(b'{"ts":1764201600,"ad_account_id":123456789012345678901234567890}'),
                       strict=True))
    assert attempt["ad_account_id"] == "123456789012345678901234567890"


@pytest.mark.parametrize(("status", "response"), [(500, {}), (300, {}), (199, {}), (200, {"success": False}), (429, None)])
def test_no_error_body_is_still_a_failure_when_status_or_success_say_so(status, response):
    record = {"ts": 1764201600, "http_status": status, "response": response}
    assert _parse(record)["success"] is False


def _status(value: object) -> object:
    return _parse({"ts": 1764201600, "http_status": value})["http_status"]


@pytest.mark.parametrize(("value", "number"), [("", None), (2147483647, 2147483647), (-2147483648, -2147483648),
                                               ("000000000000000000200", 200)])  # 21 characters, still read
def test_status_bounds_of_a_32_bit_column(value, number):
    assert _status(value) == number


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b'{"ts":1764201600,"http_status":-2147483649}', "http_status is out of range: -2147483649"),
     (b'{"ts":1764201600,"http_status":"' + b"9" * 22 + b'"}', "http_status is out of range: " + "9" * 22 + "..."),
     (b'{"ts":1764201600,"http_status":"' + b"9" * 45 + b'"}', "http_status is out of range: " + "9" * 40 + "..."),
     (b'{"ts":1764201600,"http_status":"' + b"x" * 45 + b'"}', "http_status is not a whole number: '" + "x" * 40 + "'"),
     # 2**140, an integer orjson reads as an exact float: its first 40 digits.
     (b'{"ts":1764201600,"http_status":1393796574908163946345982392040522594123776}',
      "http_status is out of range: 1393796574908163946345982392040522594123"),
     (b'{"ts":1764201600,"response":{"error":{"code":"-9223372036854775809"}}}',
      "error.code is out of range: -9223372036854775809"),
     # -2**63 - 1 as a JSON number: orjson reads the float -2**63, which must not pass as in range.
     (b'{"ts":1764201600,"response":{"error":{"code":-9223372036854775809}}}',
      "error.code is out of range: -9223372036854775808"),
     (b'{"ts":1764201600,"http_status":9007199254740992}', "http_status is out of range: 9007199254740992")],
)
def test_out_of_range_reasons_are_exact(raw, reason):
    with pytest.raises(BadLine) as caught:
        parse_send_line(raw)
    assert str(caught.value) == reason


def test_a_64_bit_code_at_its_bounds_is_kept_and_free_text_error_data_is_no_code():
    error = {"code": -9223372036854775808, "error_subcode": 9223372036854775807, "error_data": "Try again later"}
    attempt = _parse({"ts": 1764201600, "http_status": 400, "response": {"error": error}})
    assert (attempt["error_code"], attempt["error_subcode"], attempt["error_name"]) == (
        -9223372036854775808, 9223372036854775807, None)
    assert _parse({"ts": 1764201600, "ad_account_id": 1001})["ad_account_id"] == "1001"


def test_the_token_is_kept_and_a_transient_flag_that_is_no_boolean_is_unknown():
    assert _parse(s.send_ok(3))["subscription_token"] == "tok-3"
    error = {"code": 2, "is_transient": "yes"}
    assert _parse({"ts": 1764201600, "response": {"error": error}})["is_transient"] is None
