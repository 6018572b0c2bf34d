"""Send-log lines -> Send API attempts.

Grain: one attempt per line of `exports/sends/*.ndjson[.gz]`. Source: the sender's own log, one
object per `POST /act_<id>/messages` call (format in the design):
`{"ts", "ad_account_id", "message_id", "subscription_token", "http_status", "response"}`.

Caveats handled here:
- `ts` is unix seconds (or milliseconds) or ISO-8601.
- `response` is the Graph JSON body: `{"success": true, "marketing_message_tracking_id": ...}`
  or the error envelope (reference §5.1). Some loggers store it as a JSON string: accepted.
- `error.error_data` is an object or a JSON-encoded string; `remaining_seconds` is read from
  both (MM pacing rejections since Mar 16, 2026).
- The attempt key hashes the whole line's content with keys sorted: a line logged twice lands once.
"""

from __future__ import annotations

import hashlib
import json
import re

import orjson

from pipelines.webhooks.errors import BadLine
from pipelines.webhooks.timestamps import epoch_us

ATTEMPT_COLUMNS = (
    "attempt_key",
    "ts_us",
    "ad_account_id",
    "message_campaign_id",
    "subscription_token",
    "http_status",
    "success",
    "tracking_id",
    "error_code",
    "error_subcode",
    "error_type",
    "error_message",
    "is_transient",
    "remaining_seconds",
)

_ID_KEYS = ("ad_account_id", "message_id", "subscription_token")
_DECIMAL = re.compile(r"-?[0-9]+")  # ASCII digits only: str.isdigit also takes '²' and other scripts' digits


def parse_send_line(raw: bytes) -> tuple:
    """One attempt as a tuple in `ATTEMPT_COLUMNS` order. Raises BadLine."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error}") from None
    try:
        try:
            canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # an integer beyond 64 bits or more than 254 levels: the stdlib writes both
            record = json.loads(raw)
            canonical = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        if isinstance(record, dict) and any(isinstance(record.get(key), float) for key in _ID_KEYS):
            record = json.loads(raw)  # orjson made a float of an integer beyond 64 bits; keep it exact
    except RecursionError:  # the stdlib recurses on each level of nesting
        raise BadLine("nested too deeply to store") from None
    if not isinstance(record, dict):
        raise BadLine(f"wrong shape: a JSON {type(record).__name__}, not an object")
    if "ts" not in record:
        raise BadLine("missing ts")
    response = record.get("response")
    if isinstance(response, str | bytes):
        try:
            response = orjson.loads(response)
        except orjson.JSONDecodeError:
            raise BadLine("response is a string that is not JSON") from None
    if response is not None and not isinstance(response, dict):
        raise BadLine("wrong shape: response is not an object")
    response = response or {}
    status = _int(record.get("http_status"), "http_status", bits=32)
    error = response.get("error")
    if error is not None and not isinstance(error, dict):
        raise BadLine("wrong shape: response.error is not an object")
    success = error is None and (status is None or 200 <= status < 300) and response.get("success") is not False
    error = error or {}
    transient = error.get("is_transient")
    account = _text(record.get("ad_account_id"), "ad_account_id")
    if account is not None and account.startswith("act_"):
        account = account[4:]
    return (
        hashlib.blake2b(canonical, digest_size=16).hexdigest(),
        epoch_us(record["ts"], "ts"),
        account,
        _text(record.get("message_id"), "message_id"),
        _text(record.get("subscription_token"), "subscription_token"),
        status,
        success,
        _text(response.get("marketing_message_tracking_id"), "marketing_message_tracking_id"),
        _int(error.get("code"), "error.code"),
        _int(error.get("error_subcode"), "error.error_subcode"),
        _text(error.get("type"), "error.type"),
        _text(error.get("message"), "error.message"),
        transient if isinstance(transient, bool) else None,
        _int(_error_data(error.get("error_data")).get("remaining_seconds"), "error_data.remaining_seconds"),
    )


def _error_data(value: object) -> dict:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {}  # free text; nothing structured to read
    return value if isinstance(value, dict) else {}


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadLine(f"{name} is a {type(value).__name__}, not text or an integer id")


def _int(value: object, name: str, bits: int = 64) -> int | None:
    """A whole number that fits the column's `bits`-bit signed integer: an integer, an ASCII
    decimal string or an integral float."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text is not None and _DECIMAL.fullmatch(text):
        if len(text) > 21:  # no 64-bit number has more than 19 digits (and int() refuses over 4300)
            raise BadLine(f"{name} is out of range: {text[:40]}...")
        number = int(text)
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise BadLine(f"{name} is not a whole number: {str(value)[:40]!r}")
    if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise BadLine(f"{name} is out of range: {str(number)[:40]}")
    return number
