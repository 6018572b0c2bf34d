"""Webhook POST bodies (one per export line) -> typed events; the event is the unit, not the line.

Grain: one event per `entry[].changes[]` item, `entry[].messaging[]` item, or flat object.
Every item goes to one place: marketing-message events to `raw.webhook_events` (the tuples
`parse_line` returns), standard Messenger events and campaign webhooks to their own tables
(`messenger.py`, in `Extras`), and an item of a kind nobody knows, or one that cannot be read, to
the quarantine on its own, with its reason, while its siblings land. Only a line that cannot be
read as a whole (not JSON, not an object, no items) is quarantined as a line.
Source: the bodies Meta POSTs to the receiver (reference §4). Meta documents only the inner
objects, so every shape the reference allows is accepted: `{object, entry: [{changes: [{field,
value}]}]}`, `{object, entry: [{messaging: [...]}]}`, an entry that is itself a `{field, value}`
item, and a bare item at the top level (with or without `field`; `delivery_failed` samples have
none).

Caveats handled here:
- ids may arrive as JSON numbers; they become text exactly. orjson turns integers beyond 64 bits
  into floats, so a float where an id belongs makes us re-read the line with the standard
  library, which keeps big integers exact. A real fraction in an id is a bad item.
- `timestamp` is seconds or milliseconds (unit undocumented): detected by magnitude; numeric
  strings are accepted; a missing timestamp falls back to the entry's `time`.
- `recipient_id` is null, 0 or absent for some subscribers: all become NULL.
- The event key (`event_key`) is a hash of the event's identity: its type, ids, timestamp and
  error message (for upload statuses also their content with keys sorted),
  so a redelivery (same event, any envelope, any key order) gets the same key and lands once.
  `sql/queries/webhook_lines_parse.sql` computes the same key for the lines DuckDB parses.
- The payload is the event object as it came, keys in their order (`field` removed).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import orjson

from pipelines.webhooks import messenger
from pipelines.webhooks.errors import BadLine, InexactNumber
from pipelines.webhooks.timestamps import MAX_MILLIS, MAX_SECONDS, epoch_us

# Field name (or messaging key) -> stored event type.
FIELD_TYPES = {
    "marketing_message_echoes": "echo",
    "marketing_message_deliveries": "delivery",
    "marketing_message_reads": "read",
    "marketing_message_clicks": "click",
    "marketing_message_delivery_failed": "delivery_failed",
    "marketing_messages_subscriber_upload_status": "subscriber_upload_status",
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


@dataclass(slots=True)
class Extras:
    """What a line holds besides marketing-message events: standard Messenger events and campaign
    changes (rows of their tables), and the items that could not be read, each as (item number
    from 1, reason, the item as JSON)."""

    messenger: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    bad: list[tuple[int, str, bytes]] = field(default_factory=list)


def parse_line(raw: bytes) -> tuple[list[tuple], Extras | None]:
    """The marketing-message events of one export line, as tuples in `EVENT_COLUMNS` order, and its
    other items (None when it has none). Raises BadLine when the line as a whole cannot be read:
    not JSON, not an object, `entry` not a list, or no item at all."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error}") from None
    try:
        try:
            return parse_document(document)
        except InexactNumber:
            return parse_document(json.loads(raw), exact=True)
    except (orjson.JSONEncodeError, RecursionError) as error:
        # orjson writes at most 254 levels back (the payload, the content key) and the standard
        # library recurses on each level; such a line is bad input, not a reason to stop the run.
        raise BadLine(f"nested too deeply to store: {str(error) or type(error).__name__}") from None


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
            raise InexactNumber
        raise BadLine(f"{name} is not a whole number: {value!r}")
    raise BadLine(f"{name} is a {type(value).__name__}, not an id")


def parse_document(document: object, exact: bool = False) -> tuple[list[tuple], Extras | None]:
    """Events of an already-decoded body (see `parse_line`).

    `exact` marks a document decoded by the standard library (big integers kept exact). Each item
    is read on its own: one that cannot be read is quarantined alone, its siblings still land."""
    if type(document) is not dict:
        raise BadLine(f"wrong shape: a JSON {type(document).__name__}, not an object")
    entries = document.get("entry")
    reader = _Items(document.get("object"), exact)
    if entries is None:
        reader.read(document, None, None, "top-level object")
    elif type(entries) is not list:
        raise BadLine("wrong shape: entry is not a list")
    else:
        for e, entry in enumerate(entries):
            reader.read_entry(e, entry)
    if reader.count == 0:
        raise BadLine("no events: entry is empty")
    return reader.events, reader.extras


class _Items:
    """Reads the items of one document, in order, into their tables or the item quarantine."""

    __slots__ = ("object", "exact", "events", "extras", "count")

    def __init__(self, document_object: object, exact: bool) -> None:
        self.object, self.exact = document_object, exact
        self.events: list[tuple] = []
        self.extras: Extras | None = None
        self.count = 0

    def read_entry(self, e: int, entry: object) -> None:
        if type(entry) is not dict:
            self.refuse(entry, f"wrong shape: entry {e} is not an object")
            return
        page, time = entry.get("id"), entry.get("time")
        found = False
        for key in ("changes", "messaging"):
            items = entry.get(key)
            if items is None:
                continue
            found = True
            if type(items) is not list:
                self.refuse(items, f"wrong shape: entry {e} {key} is not a list")
                continue
            for i, item in enumerate(items):
                self.read(item, page, time, (e, key, i))
        if not found:
            if "field" in entry or "value" in entry:
                self.read(entry, page, time, f"entry {e}")
            else:
                self.refuse(entry, f"wrong shape: entry {e} has no changes or messaging")

    def read(self, item: object, page: object, time: object, where: object) -> None:
        try:
            if type(item) is not dict:
                raise BadLine(f"wrong shape: {_where(where)} is not an object")
            kind, name = _route(item, self.object, where)
            if kind is _MARKETING:
                self.events.append(_event(item, name, page, time, self.exact, where))
                self.count += 1
                return
            extras = self.extras or self._new_extras()
            if kind is _MESSENGER:
                content = _content(item)
                extras.messenger.append(messenger.messenger_row(name, content, page, time, _where(where), self.exact))
            else:
                extras.changes.append(
                    messenger.change_row(self.object, name, item, page, time, _where(where), self.exact))
            self.count += 1
        except BadLine as error:
            self.refuse(item, str(error))

    def refuse(self, item: object, reason: str) -> None:
        """Quarantine one item (or a part of the envelope that holds items) with its reason."""
        self.count += 1
        extras = self.extras or self._new_extras()
        try:
            text = orjson.dumps(item) if not self.exact else messenger.exact_dumps(item)
        except (TypeError, orjson.JSONEncodeError, ValueError):
            text = repr(item).encode()
        extras.bad.append((self.count, reason, text))

    def _new_extras(self) -> Extras:
        self.extras = Extras()
        return self.extras


_MARKETING, _MESSENGER, _CHANGE = "marketing", "messenger", "change"


def _where(where: object) -> str:
    # Positions are formatted only when a reason is written: most lines never need them.
    return " ".join(map(str, ("entry", *where))) if isinstance(where, tuple) else str(where)


def _route(item: dict, document_object: object, where: object) -> tuple[str, str]:
    """(table, event type or field) of one item. Raises BadLine for a kind nobody knows."""
    field = item.get("field")
    if field is not None:
        if type(field) is str:
            if field in FIELD_TYPES:
                return _MARKETING, FIELD_TYPES[field]
            if field in messenger.STANDARD_FIELDS:
                return _MESSENGER, messenger.STANDARD_FIELDS[field]
            if messenger.is_campaign_change(document_object, field):
                return _CHANGE, field
        raise BadLine(f"unknown event type {str(field)[:80]!r} ({_where(where)})")
    if "error_message" in item and "message_id" in item:
        # Meta's delivery_failed sample carries no `field`; these two keys identify it.
        return _MARKETING, "delivery_failed"
    event_type = messenger.messaging_type(item)
    if event_type is not None:
        return _MESSENGER, event_type
    keys = ",".join(sorted(str(k) for k in item)[:8])
    raise BadLine(f"unknown event type: no field and no known keys ({_where(where)}; keys {keys})")


def _content(item: dict) -> dict:
    """The event object of an item: its `value` when it has one, else the item, without `field`."""
    if "field" not in item:
        return item
    value = item.get("value")
    if value is None:
        return {k: v for k, v in item.items() if k != "field"}
    if type(value) is not dict:
        raise BadLine("wrong shape: value is not an object")
    # Some values repeat `field`; drop it so the key does not depend on that habit.
    return {k: v for k, v in value.items() if k != "field"} if "field" in value else value


_ID_KEYS = ("message_id", "messenger_subscription_token", "marketing_message_tracking_id", "mid", "app_id",
            "business_id")
_str, _int = str, int


def _event(item: dict, event_type: str, entry_page: object, entry_time: object, exact: bool, where: object) -> tuple:
    try:
        content = _content(item)
    except BadLine as error:
        raise BadLine(f"{error} ({_where(where)})") from None
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


# Delivery events are identified by their columns; an upload status carries content (its counts)
# that tells two events apart, so its key includes it.
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
