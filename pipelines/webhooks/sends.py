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
- An error code is a number or a name: frequency caps are named (`WEEKLY_MM_LOAD_CAP_REACHED`,
  changelog Apr 10, 2026) and the reference does not say where the name comes. A name in `code` or
  `error_subcode`, a name-shaped `error_user_title`, or a code in `error_data` (the whole value, or
  under a code key) lands in `error_name`; `error_code` and `error_subcode` keep only numbers. A
  string code is never a reason to quarantine a line.
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
    "error_name",
    "error_type",
    "error_message",
    "is_transient",
    "remaining_seconds",
)

_ID_KEYS = ("ad_account_id", "message_id", "subscription_token")
_DECIMAL = re.compile(r"-?[0-9]+")  # ASCII digits only: str.isdigit also takes '²' and other scripts' digits
# A code's name (WEEKLY_MM_LOAD_CAP_REACHED), told apart from a title written for people ("Message Not Sent").
_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# Where an `error_data` object may carry the code (INFERRED: no sample is published).
_DATA_CODE_KEYS = ("code", "error_code", "error_subcode", "subcode", "error_name", "name", "reason")


def parse_send_line(raw: bytes) -> tuple:
    """One attempt as a tuple in `ATTEMPT_COLUMNS` order. Raises BadLine."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as decode_error:
        raise BadLine(f"not JSON: {decode_error}") from None
    try:
        try:
            canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # more than 254 levels of nesting (orjson's limit): the stdlib writes them
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
    code, code_name = _code(error.get("code"), "error.code")
    subcode, subcode_name = _code(error.get("error_subcode"), "error.error_subcode")
    error_data = error.get("error_data")
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
        code,
        subcode,
        code_name or subcode_name or _title_name(error.get("error_user_title")) or _data_code(error_data),
        _text(error.get("type"), "error.type"),
        _text(error.get("message"), "error.message"),
        transient if isinstance(transient, bool) else None,
        _int(_error_data(error_data).get("remaining_seconds"), "error_data.remaining_seconds"),
    )


def _error_data(value: object) -> dict:
    value = _decoded(value)
    return value if isinstance(value, dict) else {}


def _decoded(value: object) -> object:
    """`error_data` as sent, or the JSON inside it when it is a JSON-encoded string."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value  # free text, or a bare name
    return value


def _code(value: object, name: str) -> tuple[int | None, str | None]:
    """A code field as (number, None) or, when Meta sent a name or other text, (None, text)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        if not _DECIMAL.fullmatch(text):
            return None, text
    return _int(value, name), None


def _title_name(value: object) -> str | None:
    """`error_user_title` when it is a code's name; a title written for people is not a code."""
    if isinstance(value, str) and _NAME.fullmatch(value.strip()):
        return value.strip()
    return None


def _data_code(value: object) -> str | None:
    """A code in `error_data`: the whole value, or the value of its first code key, as text."""
    value = _decoded(value)
    if isinstance(value, dict):
        found = (_code_word(value.get(key)) for key in _DATA_CODE_KEYS)
        return next((word for word in found if word), None)
    return _code_word(value)


def _code_word(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        return text if _NAME.fullmatch(text) or _DECIMAL.fullmatch(text) else None
    return None


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
        # orjson reads an integer outside [-2**63, 2**64) as a float; from 2**53 on a float is not
        # exact, so -2**63 - 1 would read as -2**63, in range: such a float is never a valid value.
        if abs(number) >= 2**53:
            raise BadLine(f"{name} is out of range: {str(number)[:40]}")
    else:
        raise BadLine(f"{name} is not a whole number: {str(value)[:40]!r}")
    if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise BadLine(f"{name} is out of range: {str(number)[:40]}")
    return number
