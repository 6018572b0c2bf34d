"""Standard Messenger events and campaign webhooks -> rows of their own tables.

A Page app subscribed to standard Messenger fields gets those events in the same POSTs as the
marketing-message events (reference §4.2), so ingestion must know them to keep them apart.

Grain of `raw.messenger_events`: one row per standard Messenger event (`entry[].messaging[]` item,
or `entry[].changes[]` item whose field is a Messenger field). Typed where the reference
documents the shape: messages (text, quick-reply payload), deliveries and reads (watermark),
postbacks (title, payload, referral), opt-ins (subscription token), referrals. Other Messenger
events (reactions, echoes, handovers, ...) are kept whole with their kind and no typed columns.

Grain of `raw.campaign_changes`: one row per message-campaign, campaign-group or ad-account
webhook item. Their field names and payloads are not documented (reference §4.1, changelog
Apr 10, 2026: INFERRED), so the item is kept whole beside the few fields that can be read by
their usual Graph names (`id`, `ad_account_id`, `status`, ...).

Caveats: a delivery may carry no `timestamp` (Meta's sample has none): its time is the entry's
`time`, else the watermark. A `sender` may be `{"user_ref": ...}` instead of a PSID (postbacks from
a checkbox plugin).
"""

from __future__ import annotations

import functools
import hashlib
import json

import orjson

from pipelines.webhooks.errors import BadLine, InexactNumber
from pipelines.webhooks.timestamps import epoch_us

# `entry[].changes[]` field -> event type, for the Page's standard Messenger fields.
STANDARD_FIELDS = {
    "messages": "message",
    "message_deliveries": "delivery",
    "message_reads": "read",
    "messaging_postbacks": "postback",
    "messaging_optins": "optin",
    "messaging_referrals": "referral",
    "message_echoes": "echo",
    "message_reactions": "reaction",
    "message_edits": "edit",
    "messaging_handovers": "handover",
    "messaging_account_linking": "account_linking",
    "messaging_policy_enforcement": "policy_enforcement",
    "messaging_game_plays": "game_play",
    "messaging_feedback": "feedback",
    "messaging_customer_information": "customer_information",
    "response_feedback": "response_feedback",
    "send_cart": "send_cart",
    "standby": "standby",
}
# `entry[].messaging[]` items carry no field: the key that holds the event names it.
MESSAGING_KEYS = {
    "message": "message",
    "delivery": "delivery",
    "read": "read",
    "postback": "postback",
    "optin": "optin",
    "referral": "referral",
    "reaction": "reaction",
    "message_edit": "edit",
    "pass_thread_control": "handover",
    "take_thread_control": "handover",
    "request_thread_control": "handover",
    "account_linking": "account_linking",
    "policy_enforcement": "policy_enforcement",
    "game_play": "game_play",
    "messaging_feedback": "feedback",
}
TYPED = frozenset({"message", "delivery", "read", "postback", "optin", "referral"})

# INFERRED (reference §4.1): message campaign, campaign-group and ad-account webhooks, by field or by object.
CAMPAIGN_CHANGE_FIELDS = frozenset({
    "message_campaign", "message_campaigns", "message_campaign_group", "message_campaign_groups",
    "marketing_message_campaign", "marketing_message_campaigns", "campaign", "campaigns", "ad_account",
    "ad_accounts", "with_issues_ad_objects", "in_process_ad_objects",
})
CAMPAIGN_CHANGE_OBJECTS = frozenset({"ad_account", "adaccount", "message_campaign", "message_campaign_group"})

# Column order of the rows (raw.messenger_events minus the source columns).
MESSENGER_COLUMNS = (
    "event_key", "event_type", "page_id", "sender_id", "user_ref", "mid", "message_text", "quick_reply_payload",
    "postback_title", "postback_payload", "referral_ref", "referral_source", "watermark_us", "subscription_token",
    "event_ts_us", "payload",
)
CHANGE_COLUMNS = (
    "change_key", "object", "field", "ad_account_id", "entity_id", "status", "event_ts_us", "value", "payload",
)


def messaging_type(item: dict) -> str | None:
    """The event type of a field-less Messenger item, from the key that holds the event."""
    for key, event_type in MESSAGING_KEYS.items():
        if key in item:
            if key == "message" and type(item[key]) is dict and item[key].get("is_echo") is True:
                return "echo"
            return event_type
    return None


def is_campaign_change(document_object: object, field: object) -> bool:
    return field in CAMPAIGN_CHANGE_FIELDS or (
        document_object in CAMPAIGN_CHANGE_OBJECTS and isinstance(field, str) and bool(field))


def text_of(value: object, name: str, where: str, exact: bool = False) -> str | None:
    """An id or short text as text: strings as sent ('' -> None), integers exactly."""
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not exact:
        raise InexactNumber  # an integer beyond 64 bits: the line is read again, exactly
    raise BadLine(f"{name} is a {type(value).__name__}, not text ({where})")


def _dict(value: object) -> dict:
    return value if type(value) is dict else {}


def messenger_row(event_type: str, content: dict, entry_page: object, entry_time: object, where: str,
                  exact: bool = False) -> tuple:
    """One row of `raw.messenger_events` in MESSENGER_COLUMNS order. Raises BadLine."""
    dumps = exact_dumps if exact else orjson.dumps
    text = functools.partial(text_of, where=where, exact=exact)
    sender, recipient = _dict(content.get("sender")), _dict(content.get("recipient"))
    page = text(recipient.get("id", entry_page), "recipient.id")
    person, user_ref = text(sender.get("id"), "sender.id"), text(sender.get("user_ref"), "sender.user_ref")
    # Only the documented kinds have typed columns; the others are kept whole in `payload`.
    inner = _dict(content.get(event_type)) if event_type in TYPED else {}
    referral = inner if event_type == "referral" else (
        _dict(inner.get("referral")) if event_type in ("postback", "message") else {})
    is_message, is_postback = event_type == "message", event_type == "postback"
    watermark = inner.get("watermark") if event_type in ("delivery", "read") else None
    watermark_us = epoch_us(watermark, where) if watermark is not None else None
    typed = (
        text(inner.get("mid"), "mid"),
        text(inner.get("text"), "message.text") if is_message else None,
        text(_dict(inner.get("quick_reply")).get("payload"), "quick_reply.payload") if is_message else None,
        text(inner.get("title"), "postback.title") if is_postback else None,
        text(inner.get("payload"), "postback.payload") if is_postback else None,
        text(referral.get("ref"), "referral.ref"),
        text(referral.get("source"), "referral.source"),
        watermark_us,
        text(inner.get("notification_messages_token"), "notification_messages_token") if event_type == "optin" else None,
    )
    timestamp = content.get("timestamp", entry_time)
    if timestamp is not None:
        ts = epoch_us(timestamp, where)
    elif watermark_us is not None:
        ts = watermark_us
    else:
        raise BadLine(f"missing timestamp ({where})")
    key = _key(event_type, page, person, user_ref, str(ts), dumps(content, option=orjson.OPT_SORT_KEYS))
    return (key, event_type, page, person, user_ref, *typed, ts, dumps(content).decode())


_STATUS_KEYS = ("status", "effective_status", "run_status", "configured_status")
_ENTITY_KEYS = ("id", "message_campaign_id", "campaign_id", "campaign_group_id", "object_id")


def change_row(document_object: object, field: str, item: dict, entry_id: object, entry_time: object, where: str,
               exact: bool = False) -> tuple:
    """One row of `raw.campaign_changes` in CHANGE_COLUMNS order. Raises BadLine."""
    dumps = exact_dumps if exact else orjson.dumps
    text = functools.partial(text_of, where=where, exact=exact)
    value = item.get("value", {k: v for k, v in item.items() if k != "field"})
    fields = _dict(value)
    entity = next((fields[k] for k in _ENTITY_KEYS if fields.get(k) is not None), None)
    account = fields.get("ad_account_id", fields.get("account_id"))
    if account is None and document_object in ("ad_account", "adaccount"):
        account = entry_id
    status = next((fields[k] for k in _STATUS_KEYS if fields.get(k) is not None), None)
    if status is not None and not isinstance(status, str):
        status = dumps(status).decode()
    timestamp = fields.get("timestamp", fields.get("time", entry_time))
    ts = epoch_us(timestamp, where) if timestamp is not None else None
    obj = text(document_object if isinstance(document_object, str) else None, "object")
    account_text = text(account, "ad_account_id")
    if account_text is not None and account_text.startswith("act_"):
        account_text = account_text[4:]
    key = _key(obj or "", field, text(entry_id, "entry id"), str(ts), dumps(item, option=orjson.OPT_SORT_KEYS))
    return (key, obj, field, account_text, text(entity, "id"), status, ts, dumps(value).decode(),
            dumps(item).decode())


def exact_dumps(content: object, option: int | None = None) -> bytes:
    """JSON of a document the standard library decoded (integers beyond 64 bits kept exact)."""
    return json.dumps(content, sort_keys=option is not None, separators=(",", ":"), ensure_ascii=False).encode()


def _key(*parts: str | bytes | None) -> str:
    """md5 of the parts joined by U+001F: the same event in any envelope or key order, the same key."""
    text = b"\x1f".join(p if isinstance(p, bytes) else (p or "").encode() for p in parts)
    return hashlib.md5(text).hexdigest()
