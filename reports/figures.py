"""Plotly figure builders: aggregated polars frames (see `reports.metrics`) in, figures out.

Pure functions without I/O. Every string from Meta goes through `reports.text.chart_text` before it
becomes a label, a hover text or a title: plotly draws text, so names keep their characters (no
HTML entities) while the few tag- and entity-shaped pieces plotly would interpret are neutralised.
Campaign names are bidi-isolated (`reports.text.isolate`) as in the tables. Money is
plotted per currency: an axis never mixes two currencies. Decimal amounts become floats only
here, for drawing; tables show the exact Decimal values.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from reports.chart_layout import (
    ACCOUNT_COLORS,
    COLORS,
    clear_of_panel_titles,
    floats,
    iso_dates,
    money_format,
    new_figure,
    panel_axes,
    right_axes,
    stacked_panels,
    styled,
    translucent,
)
from reports.metrics import CATEGORY_ORDER, MONEY_METRICS, Headline
from reports.text import chart_text, isolate, money, percent, truncate

CATEGORY_COLORS = dict(
    zip(
        CATEGORY_ORDER,
        ("#e4572e", "#f3a712", "#7d5ba6", "#29335c", "#db2b39", "#4c956c", "#669bbc", "#a8201a", "#9aa0a6"),
        strict=True,
    )
)
MAX_ROAS_CAMPAIGNS = 25


def accounts_label(row: Headline) -> str:
    """Which ad accounts a headline card adds up: `act_1001`, `act_1 + act_2`, `3 EUR accounts`."""
    if not row.accounts:
        return f"{row.currency} accounts"
    if len(row.accounts) <= 2:
        return " + ".join(f"act_{a}" for a in row.accounts)
    return f"{len(row.accounts)} {row.currency} accounts"


def headline_figure(rows: list[Headline]) -> go.Figure:
    """One indicator per metric and currency: the last 7 days with the change against the 7 before.

    Cards are labelled by the accounts they add up; only money carries a currency (as the number's
    unit), since counts and ROAS have none."""
    currencies = list(dict.fromkeys(row.currency for row in rows))
    metrics = list(dict.fromkeys(row.metric for row in rows))
    fig = new_figure()
    for r, currency in enumerate(currencies):
        for c, metric in enumerate(metrics):
            row = next(h for h in rows if h.currency == currency and h.metric == metric)
            value = math.nan if row.current is None else float(row.current)
            number: dict[str, object] = {"font": {"size": 26}}
            if metric in MONEY_METRICS:
                number.update(valueformat=money_format(currency), suffix=f" {chart_text(currency)}")
            elif metric == "roas":
                number.update(valueformat=".2f", suffix="×")
            else:
                number.update(valueformat=",.0f")
            indicator = go.Indicator(
                name=f"{row.label} ({currency})",
                mode="number+delta" if row.previous not in (None, 0) and row.current is not None else "number",
                value=value,
                number=number,
                title={"text": chart_text(f"{row.label} · {accounts_label(row)}"), "font": {"size": 13, "color": "#6b7385"}},
                domain={
                    "x": [c / len(metrics) + 0.01, (c + 1) / len(metrics) - 0.01],
                    "y": [1 - (r + 1) / len(currencies) + 0.02, 1 - r / len(currencies) - 0.02],
                },
            )
            if row.previous not in (None, 0) and row.current is not None:
                indicator.delta = {"reference": float(row.previous), "relative": True, "valueformat": "+.1%"}
            fig.add_trace(indicator)
    return styled(fig, None, 20 + 120 * max(len(currencies), 1), hovermode=False, margin={"l": 20, "r": 20, "t": 10, "b": 10})


def trends_figure(trends: pl.DataFrame) -> go.Figure:
    """Daily spend and purchase value per currency (one panel each), then delivered and link clicks."""
    currencies = trends["currency"].unique(maintain_order=True).to_list()
    titles = [f"Spend and purchase value ({chart_text(c)})" for c in currencies] + ["Delivered and link clicks (all accounts)"]
    traces = []
    for i, currency in enumerate(currencies, start=1):
        part = trends.filter(pl.col("currency") == currency)
        dates = iso_dates(part["date"])
        # Purchase value is often tens of times the spend: each gets its own scale (left, right).
        panels = (("spend", "Spend", panel_axes(i)), ("purchase_value", "Purchase value", right_axes(i, len(titles))))
        for metric, label, axes in panels:
            traces.append(
                go.Scatter(
                    x=dates,
                    y=floats(part[metric]),
                    name=f"{label} ({chart_text(currency)})",
                    mode="lines",
                    line={"color": COLORS[metric], "width": 2, "dash": "solid" if i == 1 else "dot"},
                    hovertemplate=f"%{{y:{money_format(currency)}}} {chart_text(currency)}",
                    **axes,
                )
            )
    counts = trends.group_by("date").agg(pl.col("delivered").sum(), pl.col("link_clicks").sum()).sort("date")
    for metric, label in (("delivered", "Delivered"), ("link_clicks", "Link clicks")):
        traces.append(
            go.Scatter(
                x=iso_dates(counts["date"]),
                y=counts[metric].to_list(),
                name=label,
                mode="lines",
                line={"color": COLORS[metric], "width": 2},
                hovertemplate="%{y:,.0f}",
                **panel_axes(len(titles)),
            )
        )
    right = {i: f"purchase value ({chart_text(c)})" for i, c in enumerate(currencies, start=1)}
    fig = stacked_panels(titles, 0.08, right)
    for i, currency in enumerate(currencies, start=1):
        axis = fig.layout[panel_axes(i)["yaxis"].replace("y", "yaxis", 1)]
        axis.title = {"text": f"spend ({chart_text(currency)})", "font": {"color": COLORS["spend"]}}
        axis.rangemode = "tozero"
    fig.add_traces(traces)
    return styled(fig, None, 120 + 220 * len(titles), **clear_of_panel_titles(220 * len(titles), right=70))


def campaign_labels(summary: pl.DataFrame) -> list[str]:
    """Shortened, isolated campaign names for plotly, made unique with the campaign id where names
    repeat (the isolate keeps a right-to-left name from moving that id)."""
    pairs = zip(summary["campaign_name"], summary["message_campaign_id"], strict=True)
    names = [name or campaign_id for name, campaign_id in pairs]
    seen = {name: names.count(name) for name in names}
    return [
        chart_text(isolate(truncate(name)) if seen[name] == 1 else f"{isolate(truncate(name, 36))} ({campaign_id})")
        for name, campaign_id in zip(names, summary["message_campaign_id"], strict=True)
    ]


def roas_figure(summary: pl.DataFrame, limit: int = MAX_ROAS_CAMPAIGNS) -> go.Figure:
    """ROAS per campaign, ours (purchase value / spend) beside Meta's website_purchase_roas.

    Shows the `limit` campaigns that delivered most (a count, comparable across currencies)."""
    top = summary.sort(["delivered", "message_campaign_id"], descending=[True, False]).head(limit).reverse()
    labels = campaign_labels(top)
    custom = [
        [chart_text(c), chart_text(money(s, cur)), chart_text(money(v, cur))]
        for c, cur, s, v in zip(top["message_campaign_id"], top["currency"], top["spend"], top["purchase_value"], strict=True)
    ]
    fig = new_figure()
    for column, name, color in (("roas", "ROAS (mmlens)", COLORS["ours"]), ("api_roas", "ROAS (Meta)", COLORS["meta"])):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=top[column].to_list(),
                name=name,
                orientation="h",
                marker={"color": color},
                customdata=custom,
                hovertemplate="%{y}<br>id %{customdata[0]}<br>" + name + " %{x:.2f}×"
                "<br>spend %{customdata[1]}, purchase value %{customdata[2]}<extra></extra>",
            )
        )
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(title_text="purchase value / spend", ticksuffix="×")
    title = f"Top {len(labels)} campaigns by messages delivered"
    return styled(fig, title, 120 + 34 * max(len(labels), 3), barmode="group", hovermode="closest")


def funnel_figure(stages: pl.DataFrame, losses: dict[str, int]) -> go.Figure:
    """The delivery funnel: each stage's count and its rate against the stage before."""
    text = [
        f"{count:,}" + ("" if rate is None else f" · {percent(rate)} of {previous.lower()}")
        for count, rate, previous in zip(stages["count"], stages["rate"], [None, *stages["label"].to_list()[:-1]], strict=True)
    ]
    fig = new_figure(
        go.Funnel(
            name="Delivery funnel",
            y=stages["label"].to_list(),
            x=stages["count"].to_list(),
            text=text,
            textinfo="text",
            textposition="auto",
            marker={"color": ["#29335c", "#3b6fd8", "#669bbc", "#1f9d74", "#e08a1e"][: stages.height]},
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    subtitle = f"rejected by the Send API: {losses.get('rejected', 0):,} · failed after sending: {losses.get('failed', 0):,}"
    return styled(fig, subtitle, 340, hovermode="closest", margin={"l": 90, "r": 20, "t": 50, "b": 30})


def errors_figure(by_category: pl.DataFrame) -> go.Figure:
    """Error occurrences per day, stacked by category (catalogue order, stable colours)."""
    present = set(by_category["category"].to_list())
    categories = [c for c in CATEGORY_ORDER if c in present] + sorted(present - set(CATEGORY_ORDER))
    fig = new_figure()
    for category in categories:
        part = by_category.filter(pl.col("category") == category)
        fig.add_trace(
            go.Bar(
                x=iso_dates(part["date"]),
                y=part["occurrences"].to_list(),
                name=chart_text(category.replace("_", " ")),
                marker={"color": CATEGORY_COLORS.get(category, "#9aa0a6"), "line": {"width": 0}},
                hovertemplate="%{y:,}",
            )
        )
    fig.update_yaxes(title_text="occurrences")
    days = by_category["date"].n_unique()
    # Gaps between hundreds of thin bars render as stripes: only keep them for short windows.
    return styled(fig, None, 360, barmode="stack", bargap=0.1 if days <= 90 else 0)


def estimates_figure(estimates: pl.DataFrame) -> go.Figure:
    """Meta's delivery and cost estimates (range) against what was delivered and spent, per account.

    Delivery is one panel; cost gets one panel per currency."""
    accounts = estimates["ad_account_id"].unique(maintain_order=True).to_list()
    currencies = estimates["currency"].fill_null("?").unique(maintain_order=True).to_list()
    titles = ["Delivery: estimate range vs delivered"] + [f"Cost: estimate range vs spend ({chart_text(c)})" for c in currencies]
    traces = []
    for n, account in enumerate(accounts):
        part = estimates.filter(pl.col("ad_account_id") == account)
        color = ACCOUNT_COLORS[n % len(ACCOUNT_COLORS)]
        currency = part["currency"].fill_null("?")[0]
        dates = iso_dates(part["date"])
        label = f"act_{chart_text(account)}"
        for row, kind, actual in ((1, "delivery", "actual_delivered"), (2 + currencies.index(currency), "cost", "actual_spend")):
            axes = panel_axes(row)
            group = f"{label}-{kind}"
            band = {"legendgroup": group, "showlegend": False, "mode": "lines", "line": {"width": 0, "color": color}, **axes}
            traces += [
                go.Scatter(x=dates, y=floats(part[f"estimate_{kind}_lower_bound"]), name=f"{label} estimate low", **band),
                go.Scatter(x=dates, y=floats(part[f"estimate_{kind}_upper_bound"]), name=f"{label} estimate high",
                           fill="tonexty", fillcolor=translucent(color), **band),
                go.Scatter(x=dates, y=floats(part[actual]), name=f"{label} actual {kind}", legendgroup=group,
                           mode="lines", line={"color": color, "width": 2}, **axes),
            ]
    fig = stacked_panels(titles, 0.1)
    fig.add_traces(traces)
    return styled(fig, None, 120 + 240 * len(titles), **clear_of_panel_titles(240 * len(titles)))


def conversions_figure(by_type: pl.DataFrame) -> go.Figure:
    """Pixel conversions per action type, one bar per attribution window."""
    fig = new_figure()
    for window in by_type["attribution_window"].unique(maintain_order=True).to_list():
        part = by_type.filter(pl.col("attribution_window") == window)
        fig.add_trace(
            go.Bar(
                x=[chart_text(a.removeprefix("offsite_conversion.fb_pixel_").replace("_", " ")) for a in part["action_type"]],
                y=floats(part["conversions"]),
                name=chart_text(window),
                hovertemplate="%{x}: %{y:,}",
            )
        )
    return styled(fig, None, 320, barmode="group", hovermode="closest")
