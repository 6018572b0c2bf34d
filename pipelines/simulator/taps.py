"""What recipients tap in a marketing message: postback buttons and quick replies (reference §4.1, §4.2).

Grain: one tap event per tapped button of a read message. Meta sends a postback button tap as a
`messaging_postbacks` event and a quick-reply tap as a standard `messages` event (the tapped title
as `text`, its payload in `quick_reply`, changelog Nov 20, 2025), in the same POSTs as the
marketing-message events. Both name the person by `sender.id` (their PSID on the Page).

Caveats modelled: a subscriber acquired through the Custom Audience API has no PSID in the
marketing-message webhooks, so their taps cannot be tied to a message: half of their button taps
carry a `user_ref` instead of an id (the documented postback sample), the others a PSID that no
marketing-message webhook named. Taps come from their own random stream, so they change no other
number of the day.
"""

from __future__ import annotations

import random

from pipelines.simulator import payloads as p

POSTBACK_RATE = 0.06  # of read messages, a button tapped
QUICK_REPLY_RATE = 0.08  # of read messages, a quick reply tapped
BUTTONS = (("Shop now", "SHOP_NOW"), ("See this week's deals", "WEEKLY_DEALS"), ("Stop promotions", "STOP_PROMOTIONS"))
QUICK_REPLIES = (("Yes please!", "QR_YES"), ("Not now", "QR_LATER"), ("Sizes & fit", "QR_SIZES"),
                 ("Ja, gerne 🛍️", "QR_YES_DE"))


def taps(seed: int, page_id: str, campaign_id: str, day_key: str, reads: list[tuple]) -> list[p.Event]:
    """Tap events of one campaign-day. `reads` holds (send index, token, PSID or None, read time in ms)
    of every read message; a tap event keeps its send and campaign (what the truth attributes it to)."""
    rng = random.Random(f"{seed}:taps:{campaign_id}:{day_key}")
    events: list[p.Event] = []
    for send, token, psid, read_ms in reads:
        if rng.random() < POSTBACK_RATE:
            title, payload = BUTTONS[rng.randrange(len(BUTTONS))]
            sender, user_ref = _sender(rng, psid, allow_user_ref=True), f"ur_{token}"
            events.append(p.Event(p.POSTBACK, read_ms + rng.randint(10_000, 3_600_000), page_id, campaign_id, send,
                                  token, psid=sender, mid=_mid(rng),
                                  extra={"title": title, "payload": payload, "user_ref": user_ref}))
        if rng.random() < QUICK_REPLY_RATE:
            title, payload = QUICK_REPLIES[rng.randrange(len(QUICK_REPLIES))]
            events.append(p.Event(p.QUICK_REPLY, read_ms + rng.randint(5_000, 1_800_000), page_id, campaign_id, send,
                                  token, psid=_sender(rng, psid, allow_user_ref=False), mid=_mid(rng),
                                  extra={"title": title, "payload": payload}))
    return events


def _sender(rng: random.Random, psid: str | None, allow_user_ref: bool) -> str | None:
    """The tapper's PSID: the recipient's when Meta named it; for a Custom Audience subscriber a PSID
    no marketing-message webhook carried, or (button taps only, half the time) none: a user_ref."""
    if psid is not None:
        return psid
    if allow_user_ref and rng.random() < 0.5:
        return None
    return str(rng.randrange(10**15, 10**16))


def _mid(rng: random.Random) -> str:
    return f"m_{rng.getrandbits(96):024x}"
