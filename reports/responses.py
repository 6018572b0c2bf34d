"""The report's view of `marts.responses_daily`: what recipients tapped, per campaign (frames and chart).

Grain of `tap_summary`: campaign (NULL: taps no marketing message could be tied to) × kind × title ×
payload over a period of UTC dates, with the taps and their share of the campaign's taps. Campaign
names come from `campaign_daily` (the latest name seen); a campaign without insights keeps its id.
The chart labels go through `reports.text.chart_text` like every other figure's.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from reports.chart_layout import new_figure, styled
from reports.figures import campaign_labels
from reports.metrics import Period
from reports.text import chart_text

KIND_LABELS = {"postback": "Button", "quick_reply": "Quick reply"}
KIND_COLORS = {"postback": "#29335c", "quick_reply": "#f3a712"}
UNATTRIBUTED = "Not tied to a message"
MAX_CAMPAIGNS = 20


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


def taps_figure(summary: pl.DataFrame, limit: int = MAX_CAMPAIGNS) -> go.Figure:
    """Taps per campaign, buttons and quick replies stacked: the `limit` most tapped campaigns, and
    the taps no message could be tied to as a bar of their own at the bottom."""
    per = (summary.group_by("message_campaign_id", "kind")
           .agg(pl.col("campaign_name").first(), pl.col("taps").sum()))
    totals = (per.filter(pl.col("message_campaign_id").is_not_null())
              .group_by("message_campaign_id").agg(pl.col("campaign_name").first(), pl.col("taps").sum())
              .sort(["taps", "message_campaign_id"], descending=[True, False]).head(limit))
    order = totals["message_campaign_id"].to_list()
    labels = dict(zip(order, campaign_labels(totals), strict=True))
    if per["message_campaign_id"].is_null().any():
        order.append(None)
        labels[None] = chart_text(UNATTRIBUTED)
    fig = new_figure()
    for kind, label in KIND_LABELS.items():
        counts = {r["message_campaign_id"]: r["taps"] for r in per.filter(pl.col("kind") == kind).iter_rows(named=True)}
        fig.add_trace(go.Bar(
            y=[labels[c] for c in reversed(order)], x=[counts.get(c, 0) for c in reversed(order)], name=label,
            orientation="h", marker={"color": KIND_COLORS[kind]}, hovertemplate="%{y}<br>%{x:,} taps<extra>" + label + "</extra>",
        ))
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(title_text="taps")
    return styled(fig, f"Taps on the {len(order) - (None in order)} most tapped campaigns", 120 + 34 * max(len(order), 3),
                  barmode="stack", hovermode="closest")
