"""`marts.delivery_funnel_daily`: what happened to each send, per Page, campaign and UTC send date.

Grain: page_id × message_campaign_id × date, where date is the UTC date of the send attempt.
Sources: `raw.send_attempts` (attempted, accepted, rejected), `raw.webhook_events` (sent,
delivered, read, clicked, failed) and `raw.message_campaigns` (the campaign's Page: send logs carry
no Page).

Semantics (the same as the simulator's truth, see docs/architecture.md):
- A send is an accepted Send API attempt, identified by its `marketing_message_tracking_id`;
  `sent` counts them (an echo webhook confirms a send but a missing echo does not undo it).
- A webhook event is attributed to a send by tracking id when it carries one; otherwise (clicks and
  delivery_failed carry none) by (message_campaign_id, subscription token) to the latest accepted
  send at or before the event (an as-of join).
- Stages are ordered sent < delivered < read < clicked and a later stage implies the earlier ones,
  so out-of-order, missing and duplicate events never make the funnel go backwards.
- `failed` counts sends with a `delivery_failed` event that never reached delivered.
- Events that match no send are counted in `unattributed_events` on their own UTC date, under the
  event's Page (or the campaign's Page when the event has none).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.transforms.frames import utc_date, utc_naive

STAGES = {"echo": 1, "delivery": 2, "read": 3, "click": 4, "delivery_failed": 0}
DELIVERED, READ, CLICKED = 2, 3, 4

COUNTS = ["attempted", "accepted", "rejected", "sent", "delivered", "read", "clicked", "failed", "unattributed_events"]
FUNNEL_SCHEMA = {
    "page_id": pl.String,
    "message_campaign_id": pl.String,
    "date": pl.Date,
    **{name: pl.Int64 for name in COUNTS},
}
_KEYS = ["page_id", "message_campaign_id", "date"]


def accepted_sends(attempts: pl.DataFrame) -> pl.DataFrame:
    """Accepted attempts, numbered (`send_id`) in the order given, so events can point at one of
    them. The one numbering of sends: incremental builds rely on it too."""
    return attempts.filter(pl.col("success").fill_null(False)).with_row_index("send_id")


def _sends(attempts: pl.DataFrame) -> pl.DataFrame:
    rowid = ["raw_rowid"] if "raw_rowid" in attempts.columns else []
    return accepted_sends(attempts).select("send_id", "ts", "message_campaign_id", "subscription_token", "tracking_id",
                                           *rowid)


_EVENT_COLUMNS = ["event_type", "page_id", "message_campaign_id", "subscription_token", "tracking_id", "event_ts"]


def _funnel_events(events: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """The funnel's event types with their stage, numbered (with the `keep` columns too).
    Duplicates are harmless for attributed events (a send's stage is a maximum); unattributed
    events are de-duplicated where counted."""
    return (
        events.filter(pl.col("event_type").is_in(list(STAGES)))
        .select(*_EVENT_COLUMNS, *keep)
        .with_columns(
            pl.col("event_type").replace_strict(STAGES, return_dtype=pl.Int8).alias("stage"),
            (pl.col("event_type") == "delivery_failed").alias("is_failed"),
        )
        .with_row_index("event_id")
    )


_LINK = ["event_id", "stage", "is_failed", "send_id", "send_ts"]


def _links(sends: pl.DataFrame, funnel: pl.DataFrame) -> pl.DataFrame:
    """For each funnel event: event_id, stage, is_failed and the send it belongs to (send_id,
    send_ts; NULL when none). Narrow on purpose: joins carry ids and numbers, not Meta's strings."""
    by_id = sends.filter(pl.col("tracking_id").is_not_null())
    if funnel.height < by_id.height:  # few events (a window, or what a full read left unlinked): only their ids
        by_id = by_id.filter(pl.col("tracking_id").is_in(funnel["tracking_id"].drop_nulls().unique().implode()))
    # A tracking id names one send; should a log repeat it, the first attempt keeps it.
    by_id = by_id.unique("tracking_id", keep="first")
    # The biggest join (most events carry a tracking id) runs on polars' streaming engine: about
    # half the CPU of the eager join on millions of events.
    tracked = (
        funnel.lazy()
        .filter(pl.col("tracking_id").is_not_null())
        .select("event_id", "stage", "is_failed", "tracking_id")
        .join(by_id.lazy().select("tracking_id", "send_id", pl.col("ts").alias("send_ts")), on="tracking_id", how="left")
        .collect(engine="streaming")
    )
    untracked = funnel.filter(pl.col("tracking_id").is_null())
    keys = ["message_campaign_id", "subscription_token"]
    keyed = untracked.filter(pl.col("subscription_token").is_not_null() & pl.col("message_campaign_id").is_not_null())
    # Only sends of a (campaign, token) some untracked event has can match: sorting and grouping
    # those alone is a fraction of all sends.
    candidates = (
        sends.join(keyed.select(keys).unique(), on=keys, how="semi", maintain_order="left")
        .select(*keys, "send_id", pl.col("ts").alias("send_ts"))
        .sort("send_ts")
    )
    as_of = (
        keyed.select("event_id", "stage", "is_failed", *keys, "event_ts")
        .sort("event_ts")
        .join_asof(candidates, left_on="event_ts", right_on="send_ts", by=keys, strategy="backward",
                   check_sortedness=False)  # both sides are sorted on the time just above
    )
    # Without a campaign or a token an untracked event can match nothing.
    orphans = untracked.filter(pl.col("subscription_token").is_null() | pl.col("message_campaign_id").is_null()).select(
        "event_id", "stage", "is_failed",
        pl.lit(None, dtype=pl.UInt32).alias("send_id"), pl.lit(None, dtype=pl.Datetime("us")).alias("send_ts"),
    )
    return pl.concat([tracked.select(_LINK), as_of.select(_LINK), orphans.select(_LINK)], how="vertical_relaxed")


# A full rebuild's reader links most events to their send itself (`linked`: event_type, send_rowid =
# the raw_rowid of the accepted attempt the event's tracking id names; see build_funnel), so those
# events reach polars as a type and an integer and their strings are never moved.
SEND_ROWID = "send_rowid"


def _linked_links(sends: pl.DataFrame, linked: pl.DataFrame) -> pl.DataFrame:
    """(send_id, stage, is_failed) of events the reader linked to a send by its raw_rowid (rows with
    a NULL send_rowid are left out: the reader returns those events whole). The rowid becomes the
    send's number through an array over the sends' rowid range (a lookup by position, not a join
    of millions of rows). A rowid that names no accepted attempt here is a reader's bug: raise."""
    if "raw_rowid" not in sends.columns:
        raise ValueError("events carry send_rowid but the attempts have no raw_rowid")
    rowids = sends["raw_rowid"].cast(pl.Int64)
    low = int(rowids.min() or 0)  # type: ignore[arg-type]
    span = int(rowids.max()) - low + 1 if sends.height else 0  # type: ignore[arg-type]
    numbers = pl.repeat(None, span, dtype=pl.UInt32, eager=True)
    numbers.scatter(rowids - low, sends["send_id"])
    offsets = linked[SEND_ROWID] - low
    if ((offsets < 0) | (offsets >= span)).any() or numbers.gather(offsets.cast(pl.UInt32)).null_count() > offsets.null_count():
        raise ValueError("events name a send_rowid that is no accepted attempt of this frame")
    return pl.DataFrame({
        "send_id": numbers.gather(offsets.cast(pl.UInt32)),
        "stage": linked["event_type"].replace_strict(STAGES, default=None, return_dtype=pl.Int8),
        "is_failed": linked["event_type"] == "delivery_failed",
    })


def _send_stages(count: int, links: list[pl.DataFrame]) -> tuple[pl.Series, pl.Series]:
    """Per send (position = send_id): the highest stage of its events and whether one failed.
    Written by position, stage by stage from the lowest, so a later write is a higher stage: a
    hash group-by of millions of events and a join back to the sends cost ten times as much."""
    stage = pl.zeros(count, pl.Int8, eager=True)
    failed = pl.repeat(False, count, eager=True)
    for part in links:
        ids = part["send_id"]
        failed.scatter(ids.filter(part["is_failed"] & ids.is_not_null()), True)
    for value in sorted(set(STAGES.values()) - {0}):
        for part in links:
            ids = part["send_id"]
            stage.scatter(ids.filter((part["stage"] == value) & ids.is_not_null()), value)
    return stage, failed


def attribute_events(attempts: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Each funnel event with the send it belongs to (`send_id`, `send_ts`; NULL when none), its
    `event_id` (its number among the funnel events, which `delivery_funnel_daily` can reuse) and its
    `raw_rowid` when the events have one. Each event's send depends on the sends alone, so one call
    over several sets of events gives each the sends separate calls would."""
    attempts, events = utc_naive(attempts, "ts"), utc_naive(events, "event_ts")
    funnel = _funnel_events(events, tuple(name for name in ("raw_rowid",) if name in events.columns))
    links = _links(_sends(attempts), funnel).select("event_id", "send_id", "send_ts")
    return funnel.join(links, on="event_id", how="left", maintain_order="left").drop("is_failed")


def context_lookups(attempts: pl.DataFrame, events: pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    """What older sends a window needs, given the window's attempts and events (both from the same
    start): (tracking ids no accepted window send carries, the (message_campaign_id,
    subscription_token) pairs of untracked events with no accepted window send of that pair at or
    before them). Every other event resolves inside the window: the latest send at or before an
    event is at least as late as any window send before it, so it is a window send too."""
    attempts, events = utc_naive(attempts, "ts"), utc_naive(events, "event_ts")
    sends = _sends(attempts)
    funnel = _funnel_events(events)
    ids = (
        funnel.filter(pl.col("tracking_id").is_not_null()).select("tracking_id").unique()
        .join(sends.select("tracking_id"), on="tracking_id", how="anti")
    )
    keys = ["message_campaign_id", "subscription_token"]
    first_send = sends.filter(pl.col("subscription_token").is_not_null()).group_by(keys).agg(
        pl.col("ts").min().alias("first_send_ts"))
    pairs = (
        funnel.filter(pl.col("tracking_id").is_null() & pl.col("subscription_token").is_not_null()
                      & pl.col("message_campaign_id").is_not_null())
        .join(first_send, on=keys, how="left")
        .filter(pl.col("first_send_ts").is_null() | (pl.col("first_send_ts") > pl.col("event_ts")))
        .select(keys).unique().sort(keys)
    )
    return sorted(ids["tracking_id"].to_list()), pairs


def context_sends(candidates: pl.DataFrame, tracking_ids: list[str], pairs: pl.DataFrame) -> pl.DataFrame:
    """The older sends a window's events belong to, from `candidates` (accepted sends before the
    window, found by hashes of the looked-up ids and keys, so possibly a few others): those named by
    one of `tracking_ids`, and the latest of each (message_campaign_id, subscription_token) in
    `pairs` (every send of a looked-up pair is a candidate, so its latest is among them)."""
    keys = ["message_campaign_id", "subscription_token"]
    by_id = candidates.filter(pl.col("tracking_id").is_in(tracking_ids))
    by_key = candidates.join(pairs.select(keys), on=keys, how="semi").filter(pl.col("ts") == pl.col("ts").max().over(keys))
    return pl.concat([by_id, by_key]).unique("raw_rowid", keep="first", maintain_order=True)


def earliest_touched_send(attempts: pl.DataFrame, events: pl.DataFrame) -> dt.date | None:
    """The UTC date of the oldest send any of these events is attributed to (None when none)."""
    attempts, events = utc_naive(attempts, "ts"), utc_naive(events, "event_ts")
    oldest = _links(_sends(attempts), _funnel_events(events)).select(pl.col("send_ts").min()).item()
    return None if oldest is None else oldest.date()


def delivery_funnel_daily(attempts: pl.DataFrame, events: pl.DataFrame, campaigns: pl.DataFrame,
                          since: dt.date | None = None, linked: pl.DataFrame | None = None,
                          attributed: pl.DataFrame | None = None) -> pl.DataFrame:
    """`marts.delivery_funnel_daily`; with `since`, only the rows dated on or after it. `linked`:
    events the reader already linked to their send (event_type, send_rowid; see `_linked_links`),
    counted with the attempts' `raw_rowid`; `events` then holds every other event, whole.
    `attributed`: `attribute_events(attempts, events)` of these same frames, when the caller has it
    already, so the events are not attributed twice."""
    attempts, events = utc_naive(attempts, "ts"), utc_naive(events, "event_ts")
    pages = campaigns.select("message_campaign_id", pl.col("page_id").alias("campaign_page_id")).unique(
        "message_campaign_id", keep="last"
    )
    sends = _sends(attempts)
    funnel_events = _funnel_events(events)
    if attributed is None:
        links = _links(sends, funnel_events)
    else:
        links = attributed.select("event_id", "stage", (pl.col("event_type") == "delivery_failed").alias("is_failed"),
                                  "send_id", "send_ts")
    parts = [links] if linked is None else [links, _linked_links(sends, linked)]
    stage, has_failed = _send_stages(sends.height, parts)
    # One pass over the attempts counts both the send log and the sends' stages: an accepted
    # attempt is a send, numbered as in `accepted_sends` (a running count of accepted attempts).
    accepted = pl.col("success").fill_null(False)
    numbered = attempts.select(
        "message_campaign_id", utc_date("ts").alias("date"), accepted.alias("accepted"),
        pl.when(accepted).then(accepted.cast(pl.UInt32).cum_sum() - 1).alias("send_id"),
    )
    send_id = numbered["send_id"]
    by_send_date = (
        numbered.with_columns(stage.gather(send_id).fill_null(0).alias("stage"),
                              has_failed.gather(send_id).fill_null(False).alias("has_failed"))
        .lazy()
        .group_by("message_campaign_id", "date")
        .agg(
            pl.len().alias("attempted"),
            pl.col("accepted").sum().alias("accepted"),
            (~pl.col("accepted")).sum().alias("rejected"),
            pl.col("accepted").sum().alias("sent"),  # every accepted attempt is a send; echoes only help attribution
            (pl.col("stage") >= DELIVERED).sum().alias("delivered"),  # a rejected attempt has stage 0
            (pl.col("stage") >= READ).sum().alias("read"),
            (pl.col("stage") >= CLICKED).sum().alias("clicked"),
            (pl.col("has_failed") & (pl.col("stage") < DELIVERED)).sum().alias("failed"),
        )
        .collect(engine="streaming")
        .join(pages, on="message_campaign_id", how="left")
        .rename({"campaign_page_id": "page_id"})
    )
    # event_id is the row number in funnel_events: the few unattributed events are taken by position.
    orphan_ids = links.filter(pl.col("send_id").is_null())["event_id"]
    unattributed = (
        funnel_events[orphan_ids]
        .unique(_EVENT_COLUMNS)  # an exact duplicate is one event
        .join(pages, on="message_campaign_id", how="left")
        .group_by(pl.coalesce("page_id", "campaign_page_id").alias("page_id"), "message_campaign_id",
                  utc_date("event_ts").alias("date"))
        .agg(pl.len().alias("unattributed_events"))
    )
    funnel = by_send_date.join(unattributed, on=_KEYS, how="full", coalesce=True, nulls_equal=True)
    funnel = funnel.with_columns([pl.col(name).fill_null(0) for name in COUNTS])
    if since is not None:
        funnel = funnel.filter(pl.col("date") >= since)
    return funnel.select([pl.col(name).cast(dtype) for name, dtype in FUNNEL_SCHEMA.items()])
