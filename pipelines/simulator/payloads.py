"""Webhook POST bodies for simulated events, in every shape the reference allows (§4.1, §4.2).

Meta documents only the inner objects, so the envelope follows the reference's INFERRED notes:
mostly `{"object":"page","entry":[{"id","time","changes":[{"field","value"}]}]}`, opt-ins,
postbacks and quick-reply `messages` as `entry[].messaging[]` items, some `delivery_failed` as flat objects inside
`changes` (the documented sample has no `field` key), some items flat *with* `field` (the
dashboard "Test" shape), and values that repeat `field`. Per POST, ids are JSON numbers or
strings and timestamps seconds or milliseconds; nothing here changes what an event means.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

ECHO = "marketing_message_echoes"
DELIVERY = "marketing_message_deliveries"
READ = "marketing_message_reads"
CLICK = "marketing_message_clicks"
FAILED = "marketing_message_delivery_failed"
UPLOAD = "marketing_messages_subscriber_upload_status"
POSTBACK = "messaging_postbacks"
OPTIN = "messaging_optins"
QUICK_REPLY = "messages"  # a quick-reply tap is a standard Messenger `messages` event
FUNNEL_KINDS = (ECHO, DELIVERY, READ, CLICK, FAILED)
MESSAGING_KINDS = (POSTBACK, OPTIN, QUICK_REPLY)
TAP_KINDS = (POSTBACK, QUICK_REPLY)

# Click and read webhooks sent recipient_id=0 for a null PSID until this day (changelog).
RECIPIENT_ZERO_UNTIL_MS = 1_769_040_000_000  # 2026-01-22T00:00:00Z


@dataclass(slots=True)
class Event:
    """One webhook event. `send` is the index of its accepted attempt in the same day stream,
    None when no logged send exists (it is unattributed by construction)."""

    kind: str
    ts_ms: int
    page_id: str
    campaign_id: str | None = None
    send: int | None = None
    token: str | None = None
    tracking_id: str | None = None
    psid: str | None = None
    mid: str | None = None
    error_message: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Style:
    """How one POST renders ids and timestamps."""

    ids: str  # "doc": page/recipient/app/business ids as numbers; "text": all strings; "all": message_id too
    millis: bool
    read_app_id: bool = True  # the reads field table omits app_id while its sample has it: both occur

    def id(self, value: str | None, key: str) -> str | int | None:
        if value is None:
            return None
        if self.ids == "all" or (self.ids == "doc" and key != "message_id"):
            return int(value)
        return value

    def ts(self, ts_ms: int) -> int:
        return ts_ms if self.millis else ts_ms // 1000


def pick_style(rng: random.Random) -> Style:
    return Style(ids=rng.choices(("doc", "text", "all"), weights=(5, 4, 1))[0], millis=rng.random() < 0.7,
                 read_app_id=rng.random() < 0.7)


def inner(event: Event, style: Style, app_id: str, business_id: str) -> dict:
    """The documented inner object of an MM event (no `field` key)."""
    s = style.id
    ts = style.ts(event.ts_ms)
    kind = event.kind
    if kind == FAILED:
        return {"app_id": s(app_id, "app_id"), "business_id": s(business_id, "business_id"),
                "page_id": s(event.page_id, "page_id"), "messenger_subscription_token": event.token,
                "timestamp": ts, "error_message": event.error_message, "message_id": s(event.campaign_id, "message_id")}
    if kind == UPLOAD:
        x = event.extra
        return {"app_id": s(app_id, "app_id"), "page_id": s(event.page_id, "page_id"),
                "custom_audience_id": s(x["custom_audience_id"], "id"), "ad_account_id": s(x["ad_account_id"], "id"),
                "timestamp": ts, "num_rows": x["num_rows"], "business_id": s(business_id, "business_id"),
                "approximate_count_lower_bound": x["lower"], "approximate_count_upper_bound": x["upper"],
                "batch_uploading_status": "SUCCESS"}
    value: dict = {}
    if kind in (READ, CLICK) and event.psid is None:
        # Custom Audience subscribers have no PSID: null now, 0 before the Jan 22, 2026 fix.
        value["recipient_id"] = 0 if event.ts_ms < RECIPIENT_ZERO_UNTIL_MS else None
    elif event.psid is not None:
        value["recipient_id"] = s(event.psid, "recipient_id")
    value["page_id"] = s(event.page_id, "page_id")
    if kind != CLICK and (kind != READ or style.read_app_id):
        value["app_id"] = s(app_id, "app_id")
    value["timestamp"] = ts
    if kind != READ and event.mid is not None:
        value["mid"] = event.mid
    if kind != CLICK:
        value["marketing_message_tracking_id"] = event.tracking_id
    value["messenger_subscription_token"] = event.token
    value["message_id"] = s(event.campaign_id, "message_id")
    return value


def messaging_item(event: Event, style: Style) -> dict:
    sender = {"id": style.id(event.psid, "recipient_id")} if event.psid else {"user_ref": event.extra["user_ref"]}
    item = {"sender": sender, "recipient": {"id": style.id(event.page_id, "page_id")},
            "timestamp": style.ts(event.ts_ms)}
    if event.kind == POSTBACK:
        item["postback"] = {"mid": event.mid, "title": event.extra["title"], "payload": event.extra["payload"]}
    elif event.kind == QUICK_REPLY:  # the tapped title comes back as the message text
        item["message"] = {"mid": event.mid, "text": event.extra["title"],
                           "quick_reply": {"payload": event.extra["payload"]}}
    else:
        item["optin"] = {"type": "notification_messages", "payload": event.extra["payload"],
                         "notification_messages_token": event.token,
                         "notification_messages_timezone": event.extra["timezone"],
                         "user_token_status": event.extra["status"],
                         "notification_messages_status": "RESUME_NOTIFICATIONS", "title": event.extra["title"]}
    return item


def change_item(rng: random.Random, event: Event, style: Style, app_id: str, business_id: str) -> dict:
    value = inner(event, style, app_id, business_id)
    draw = rng.random()
    if event.kind == FAILED and draw < 0.3:
        return value  # flat, as in the documented sample: no field, no value wrapper
    if draw < 0.05:
        return {"field": event.kind, **value}  # flat with field (dashboard "Test" shape)
    if draw < 0.12:
        value = {"field": event.kind, **value}
    return {"field": event.kind, "value": value}


def post_body(rng: random.Random, events: list[Event], app_id: str, business_id: str) -> dict:
    """One POST: events (same Page, time-ordered) split into 1-3 entries of changes/messaging."""
    style = pick_style(rng)
    entries: list[dict] = []
    current: list[Event] = []

    def close() -> None:
        if not current:
            return
        entry = {"id": style.id(current[0].page_id, "page_id") if style.ids == "all" else current[0].page_id,
                 "time": max(e.ts_ms for e in current) + rng.randint(50, 900)}
        if all(e.kind == POSTBACK for e in current) and rng.random() < 0.2:
            # The postback doc shows a `changes`-style item whose timestamp is a string of seconds.
            entry["changes"] = [{"field": POSTBACK, "value": {**messaging_item(e, style),
                                                              "timestamp": str(e.ts_ms // 1000)}} for e in current]
        elif current[0].kind in MESSAGING_KINDS:
            entry["messaging"] = [messaging_item(e, style) for e in current]
        else:
            entry["changes"] = [change_item(rng, e, style, app_id, business_id) for e in current]
        entries.append(entry)
        current.clear()

    for event in events:
        if current and ((current[0].kind in MESSAGING_KINDS) != (event.kind in MESSAGING_KINDS)
                        or rng.random() < 0.15):
            close()
        current.append(event)
    close()
    return {"object": "page", "entry": entries}
