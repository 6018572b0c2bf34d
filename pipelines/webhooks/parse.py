"""Webhook POST bodies (one per export line) -> typed marketing-message events.

Grain: one event per `entry[].changes[]` item, `entry[].messaging[]` item, or flat object.
Source: the bodies Meta POSTs to the receiver (reference §4). Meta documents only the inner
objects, so every shape the reference allows is accepted: `{object, entry: [{changes: [{field,
value}]}]}`, `{object, entry: [{messaging: [...]}]}`, an entry that is itself a `{field, value}`
item, and a bare item at the top level (with or without `field`; `delivery_failed` samples have
none).

Caveats handled here:
- ids may arrive as JSON numbers; they become text exactly. orjson turns integers beyond 64 bits
  into floats, so a float where an id belongs makes us re-read the line with the standard
  library, which keeps big integers exact. A real fraction in an id is a bad line.
- `timestamp` is seconds or milliseconds (unit undocumented): detected by magnitude; numeric
  strings are accepted; a missing timestamp falls back to the entry's `time`.
- `recipient_id` is null, 0 or absent for some subscribers: all become NULL.
- The event key (`event_key`) is a hash of the event's identity: its type, ids, timestamp and
  error message (for postbacks, opt-ins and upload statuses also their content with keys sorted),
  so a redelivery (same event, any envelope, any key order) gets the same key and lands once.
  `sql/queries/webhook_lines_parse.sql` computes the same key for the lines DuckDB parses.
- The payload is the event object as it came, keys in their order (`field` removed).
"""

from __future__ import annotations

import hashlib
import json

import orjson

from pipelines.webhooks.errors import BadLine
from pipelines.webhooks.timestamps import MAX_MILLIS, MAX_SECONDS, epoch_us

# Field name (or messaging key) -> stored event type.
FIELD_TYPES = {
    "marketing_message_echoes": "echo",
    "marketing_message_deliveries": "delivery",
    "marketing_message_reads": "read",
    "marketing_message_clicks": "click",
    "marketing_message_delivery_failed": "delivery_failed",
    "marketing_messages_subscriber_upload_status": "subscriber_upload_status",
    "messaging_postbacks": "postback",
    "messaging_optins": "optin",
}
EVENT_TYPES = tuple(FIELD_TYPES.values())

# Column order of the parsed event tuples (and of raw.webhook_events minus the source columns).
EVENT_COLUMNS = (
    "event_key",
    "event_type",
    "page_id",
    "message_campaign_id",
    "recipient_id",
    "subscription_token",
    "tracking_id",
    "mid",
    "app_id",
    "business_id",
    "event_ts_us",
    "error_message",
    "payload",
)

_MAX_SECONDS, _MAX_MILLIS = MAX_SECONDS, MAX_MILLIS


class _InexactNumber(Exception):
    """orjson gave a float where an exact integer id belongs; re-read with the stdlib."""


def parse_line(raw: bytes) -> list[tuple]:
    """All events of one export line, as tuples in `EVENT_COLUMNS` order. Raises BadLine."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error}") from None
    try:
        try:
            return parse_document(document)
        except _InexactNumber:
            return parse_document(json.loads(raw), exact=True)
    except (orjson.JSONEncodeError, RecursionError) as error:
        # orjson writes at most 254 levels back (the payload, the content key) and the standard
        # library recurses on each level; such a line is bad input, not a reason to stop the run.
        raise BadLine(f"nested too deeply to store: {error or type(error).__name__}") from None


def _dumps_exact(content: dict, sort_keys: bool = False) -> bytes:
    return json.dumps(content, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False).encode()


def _text_id(value: object, name: str, exact: bool) -> str | None:
    """An id as text. Strings and integers are the common case and are handled by the callers'
    inline fast path; this is the slow, checking path."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        raise BadLine(f"{name} is a boolean, not an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not exact:
            raise _InexactNumber
        raise BadLine(f"{name} is not a whole number: {value!r}")
    raise BadLine(f"{name} is a {type(value).__name__}, not an id")


def parse_document(document: object, exact: bool = False) -> list[tuple]:
    """Events of an already-decoded body. Raises BadLine for any shape it cannot understand.

    `exact` marks a document decoded by the standard library (big integers kept exact)."""
    if type(document) is not dict:
        raise BadLine(f"wrong shape: a JSON {type(document).__name__}, not an object")
    entries = document.get("entry")
    if entries is None:
        return [_event(document, None, None, exact, "top-level object")]
    if type(entries) is not list:
        raise BadLine("wrong shape: entry is not a list")
    events = []
    for e, entry in enumerate(entries):
        if type(entry) is not dict:
            raise BadLine(f"wrong shape: entry {e} is not an object")
        page, time = entry.get("id"), entry.get("time")
        found = False
        for key in ("changes", "messaging"):
            items = entry.get(key)
            if items is None:
                continue
            if type(items) is not list:
                raise BadLine(f"wrong shape: entry {e} {key} is not a list")
            found = True
            for i, item in enumerate(items):
                events.append(_event(item, page, time, exact, (e, key, i)))
        if not found:
            if "field" in entry or "value" in entry:
                events.append(_event(entry, page, time, exact, f"entry {e}"))
            else:
                raise BadLine(f"wrong shape: entry {e} has no changes or messaging")
    if not events:
        raise BadLine("no events: entry is empty")
    return events


def _where(where: object) -> str:
    # Positions are formatted only when a reason is written: most lines never need them.
    return " ".join(map(str, ("entry", *where))) if isinstance(where, tuple) else str(where)


def _classify(item: dict, where: object) -> tuple[str, dict]:
    """(event type, content) of one item; content is the event object without `field`."""
    field = item.get("field")
    if field is not None:
        event_type = FIELD_TYPES.get(field) if isinstance(field, str) else None
        if event_type is None:
            raise BadLine(f"unknown event type {str(field)[:80]!r} ({_where(where)})")
        value = item.get("value")
        if value is None:
            content = {k: v for k, v in item.items() if k != "field"}
        elif type(value) is dict:
            # Some values repeat `field`; drop it so the key does not depend on that habit.
            content = {k: v for k, v in value.items() if k != "field"} if "field" in value else value
        else:
            raise BadLine(f"wrong shape: value is not an object ({_where(where)})")
        return event_type, content
    if "postback" in item:
        return "postback", item
    if "optin" in item:
        return "optin", item
    if "error_message" in item and "message_id" in item:
        # Meta's delivery_failed sample carries no `field`; these two keys identify it.
        return "delivery_failed", item
    keys = ",".join(sorted(str(k) for k in item)[:8])
    raise BadLine(f"unknown event type: no field and no known keys ({_where(where)}; keys {keys})")


_ID_KEYS = ("message_id", "messenger_subscription_token", "marketing_message_tracking_id", "mid", "app_id",
            "business_id")
_str, _int = str, int


def _event(item: object, entry_page: object, entry_time: object, exact: bool, where: object) -> tuple:
    if type(item) is not dict:
        raise BadLine(f"wrong shape: {_where(where)} is not an object")
    event_type, content = _classify(item, where)
    get = content.get
    sender = get("sender")
    recipient = get("recipient")
    if sender is None and recipient is None:
        person, page = get("recipient_id"), get("page_id")
    else:
        # Messenger shape: sender is the person (PSID), recipient is the Page.
        person = sender.get("id") if type(sender) is dict else None
        page = recipient.get("id") if type(recipient) is dict else None
    ids = [person, page if page is not None else entry_page, *map(get, _ID_KEYS)]
    if event_type == "optin" or event_type == "postback":
        inner = get(event_type)
        if type(inner) is dict:
            if ids[3] is None and event_type == "optin":
                ids[3] = inner.get("notification_messages_token")
            if ids[5] is None:
                ids[5] = inner.get("mid")
    for n, value in enumerate(ids):
        kind = type(value)
        if kind is _str:
            if not value:
                ids[n] = None
        elif kind is _int:
            ids[n] = _str(value)
        elif value is not None:
            ids[n] = _text_id(value, _ID_NAMES[n], exact)
    if ids[0] == "0":
        ids[0] = None  # clicks and reads carried recipient_id=0 before Jan 22, 2026
    timestamp = get("timestamp", entry_time)
    if timestamp is None:
        raise BadLine(f"missing timestamp ({_where(where)})")
    if type(timestamp) is _int and 0 <= timestamp <= _MAX_SECONDS:
        ts = timestamp * 1_000_000
    elif type(timestamp) is _int and _MAX_SECONDS < timestamp <= _MAX_MILLIS:
        ts = timestamp * 1_000
    else:
        ts = epoch_us(timestamp, _where(where))
    error_message = get("error_message")
    if error_message is not None and type(error_message) is not _str:
        if type(error_message) is not _int:
            raise BadLine(f"error_message is a {type(error_message).__name__}, not text ({_where(where)})")
        error_message = _str(error_message)
    person, page, campaign, token, tracking, mid, app, business = ids
    columns = (page, campaign, person, token, tracking, mid, app, business)
    content_key = None
    if event_type not in IDENTIFIED_BY_COLUMNS:
        content_key = orjson.dumps(content, option=orjson.OPT_SORT_KEYS) if not exact else _dumps_exact(content, True)
    payload = orjson.dumps(content) if not exact else _dumps_exact(content)
    return (
        event_key(event_type, columns, ts, error_message, content_key), event_type, *columns, ts, error_message,
        payload.decode(),
    )


# Delivery events are identified by their columns; the other types carry content (a postback's
# payload, an upload's counts) that tells two events apart, so their key includes it.
IDENTIFIED_BY_COLUMNS = frozenset({"echo", "delivery", "read", "click", "delivery_failed"})


def event_key(event_type: str, columns: tuple, ts_us: int, error_message: str | None,
              content: bytes | None = None) -> str:
    """The identity of an event, so that a redelivery (in whatever envelope) lands once: md5 of
    the type, the id columns in table order (page, campaign, recipient, token, tracking id, mid,
    app, business; absent as ''), the timestamp in microseconds and the error message ('m' + text,
    or 'n' when absent), joined by U+001F, then the sorted-key content when given. The SQL lane
    computes the same text and hash (`sql/queries/insert_webhook_events.sql`)."""
    parts = [event_type, *(c or "" for c in columns), str(ts_us), "n" if error_message is None else "m" + error_message]
    text = "\x1f".join(parts).encode()
    if content is not None:
        text += b"\x1f" + content
    return hashlib.md5(text).hexdigest()


_ID_NAMES = ("recipient_id", "page_id", *_ID_KEYS)
