"""`marts.responses_daily`: what recipients tapped, per Page, campaign, UTC date, kind and title/payload.

Grain: page_id × message_campaign_id (NULL when unattributed) × date (UTC, of the tap) × kind
(`postback` / `quick_reply`) × title × payload; `responses` counts distinct taps, `attributed` says
whether the row has a campaign.
Sources: `raw.messenger_events` (postbacks: `postback_title`, `postback_payload`; quick replies:
`message` events with a `quick_reply_payload`, the tapped title being the message text) and
`raw.webhook_events` (echoes and deliveries: which Page sent which campaign to which PSID, when).

Attribution: neither tap carries the message's campaign or tracking id, so a tap belongs to the
marketing message its sender last received from the Page: the latest echo or delivery on the same
Page whose `recipient_id` is the tap's `sender_id`, at or before the tap (an as-of join). A tap with
no such message (a Custom Audience subscriber, whose webhooks carry no PSID; a `user_ref` sender; a
person who never received one) is counted with a NULL campaign, never dropped.

Caveat: a quick reply that asks for the person's phone number or email sends it back as payload and
text (the same value in both); such taps are counted under `(phone number)` / `(email address)` so the mart and the report
never hold them.
"""

from __future__ import annotations

import polars as pl

from pipelines.transforms.frames import Schema, utc_date, utc_naive

RESPONSES_SCHEMA: Schema = {
    "page_id": pl.String,
    "message_campaign_id": pl.String,
    "date": pl.Date,
    "kind": pl.String,
    "title": pl.String,
    "payload": pl.String,
    "responses": pl.Int64,
    "attributed": pl.Boolean,
}
_KEYS = ["page_id", "message_campaign_id", "date", "kind", "title", "payload"]
RECEIVED_TYPES = ("echo", "delivery")
# Personal data a quick reply can carry (content types user_email / user_phone_number).
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE = r"^\+?[0-9 ().\-]{7,}$"


def _taps(messenger: pl.DataFrame) -> pl.DataFrame:
    """Postbacks and quick-reply messages as (page_id, sender_id, event_ts, kind, title, payload)."""
    quick = pl.col("quick_reply_payload")
    taps = messenger.filter((pl.col("event_type") == "postback") | ((pl.col("event_type") == "message") & quick.is_not_null()))
    is_postback = pl.col("event_type") == "postback"
    title = pl.when(is_postback).then(pl.col("postback_title")).otherwise(pl.col("message_text"))
    payload = pl.when(is_postback).then(pl.col("postback_payload")).otherwise(quick)
    # Meta sends the number or address as both text and payload; a button's title differs from its payload.
    echoed = ~is_postback & (pl.col("message_text") == quick)
    personal = (pl.when(echoed & quick.str.contains(_EMAIL)).then(pl.lit("(email address)"))
                .when(echoed & quick.str.contains(_PHONE) & (quick.str.count_matches(r"[0-9]") >= 7))
                .then(pl.lit("(phone number)")))
    return taps.select(
        "page_id", "sender_id", "event_ts",
        pl.when(is_postback).then(pl.lit("postback")).otherwise(pl.lit("quick_reply")).alias("kind"),
        pl.coalesce(personal, title).alias("title"),
        pl.coalesce(personal, payload).alias("payload"),
    )


def attribute_taps(messenger: pl.DataFrame, received: pl.DataFrame) -> pl.DataFrame:
    """Each tap with the campaign of the message its sender last received on that Page at or before
    it (`message_campaign_id`, NULL when none)."""
    taps = _taps(utc_naive(messenger, "event_ts")).with_row_index("tap_id")
    sent = (
        utc_naive(received, "event_ts")
        .filter(pl.col("event_type").is_in(RECEIVED_TYPES) & pl.col("recipient_id").is_not_null()
                & pl.col("page_id").is_not_null() & pl.col("message_campaign_id").is_not_null())
        .select("page_id", pl.col("recipient_id").alias("sender_id"), "message_campaign_id",
                pl.col("event_ts").alias("received_ts"))
        # Two messages received at the same instant: the larger campaign id, so the result is reproducible.
        .sort("received_ts", "message_campaign_id")
        .unique(["page_id", "sender_id", "received_ts"], keep="last")
        .sort("received_ts")
    )
    keyed = taps.filter(pl.col("sender_id").is_not_null() & pl.col("page_id").is_not_null()).sort("event_ts")
    matched = keyed.join_asof(sent, left_on="event_ts", right_on="received_ts", by=["page_id", "sender_id"],
                              strategy="backward", check_sortedness=False)  # both sorted on their time above
    # Without a PSID or a Page a tap can match nothing (polars would not match null keys anyway).
    orphans = taps.filter(pl.col("sender_id").is_null() | pl.col("page_id").is_null()).with_columns(
        pl.lit(None, dtype=pl.String).alias("message_campaign_id"))
    columns = ["tap_id", "page_id", "sender_id", "event_ts", "kind", "title", "payload", "message_campaign_id"]
    return pl.concat([matched.select(columns), orphans.select(columns)]).sort("tap_id").drop("tap_id")


def responses_daily(messenger: pl.DataFrame, received: pl.DataFrame) -> pl.DataFrame:
    """The mart rows for these taps (every tap in `messenger`), given the echoes and deliveries that
    may precede them (`received`: at least every one of the taps' senders on their Pages)."""
    taps = attribute_taps(messenger, received)
    if taps.is_empty():
        return pl.DataFrame(schema=RESPONSES_SCHEMA)
    return (
        taps.with_columns(utc_date("event_ts").alias("date"))
        .group_by(_KEYS)
        .agg(pl.len().cast(pl.Int64).alias("responses"))
        .with_columns(pl.col("message_campaign_id").is_not_null().alias("attributed"))
        .select(list(RESPONSES_SCHEMA))
        .sort(_KEYS, nulls_last=True)
        .cast(RESPONSES_SCHEMA)  # type: ignore[arg-type]  # polars' stubs take classes only as Mapping values
    )
