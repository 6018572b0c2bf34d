"""The report's view of `marts.responses_daily`: what recipients tapped, per campaign.

Grain of `tap_summary`: campaign (NULL: taps no marketing message could be tied to) × kind × title ×
payload over a period of UTC dates, with the taps and their share of the campaign's taps. Campaign
names come from `campaign_daily` (the latest name seen); a campaign without insights keeps its id.
"""

from __future__ import annotations

import polars as pl

from reports.metrics import Period

KIND_LABELS = {"postback": "Button", "quick_reply": "Quick reply"}


def _between(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    return frame.filter(pl.col("date").is_between(period.start, period.end))


def tap_summary(responses: pl.DataFrame, campaign_daily: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Taps per campaign, kind, title and payload over `period`: campaigns with the most taps first,
    unattributed taps last; within a campaign, the most tapped first."""
    names = (campaign_daily.sort("date").group_by("message_campaign_id")
             .agg(pl.col("campaign_name").drop_nulls().last()))
    taps = (
        _between(responses, period)
        .group_by("message_campaign_id", "kind", "title", "payload")
        .agg(pl.col("responses").sum().alias("taps"))
    )
    if taps.is_empty():
        return taps.with_columns(pl.lit(None, pl.String).alias("campaign_name"), pl.lit(None, pl.Float64).alias("share"))
    by_campaign = pl.col("taps").sum().over("message_campaign_id")
    return (
        taps.join(names, on="message_campaign_id", how="left")
        .with_columns((pl.col("taps") / by_campaign).alias("share"), by_campaign.alias("campaign_taps"),
                      pl.col("message_campaign_id").is_null().alias("unattributed"))
        .sort(["unattributed", "campaign_taps", "message_campaign_id", "taps", "kind", "title", "payload"],
              descending=[False, True, False, True, False, False, False], nulls_last=True)
        .drop("campaign_taps", "unattributed")
    )


def unattributed_taps(responses: pl.DataFrame, period: Period) -> tuple[int, int]:
    """(taps with no campaign, all taps) over `period`."""
    frame = _between(responses, period)
    total = int(frame["responses"].sum() or 0)
    loose = int(frame.filter(pl.col("message_campaign_id").is_null())["responses"].sum() or 0)
    return loose, total
