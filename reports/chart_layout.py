"""The report's chart look and layout helpers, shared by the figure builders.

Figures carry no plotly template (the page applies one to every chart), stacked panels are laid
out by hand, and dates go to plotly as ISO strings: each of these keeps building a figure cheap
(see bench/README.md).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from pipelines.currencies import decimal_places

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
COLORS = {
    "spend": "#3b6fd8",
    "purchase_value": "#1f9d74",
    "delivered": "#3b6fd8",
    "link_clicks": "#e08a1e",
    "ours": "#3b6fd8",
    "meta": "#a0a7b4",
}
ACCOUNT_COLORS = ("#3b6fd8", "#1f9d74", "#e08a1e", "#7d5ba6", "#db2b39", "#669bbc")


def new_figure(data: object = None) -> go.Figure:
    """A figure without a template of its own: the page applies one shared template (see
    `reports.page.FIGURE_TEMPLATE`) to every chart, instead of embedding and validating a copy in each."""
    return go.Figure(data=data, layout={"template": "none"})


def stacked_panels(titles: list[str], spacing: float, right_titles: dict[int, str] | None = None) -> go.Figure:
    """Panels stacked in one column sharing the x axis, one title each (`titles` already `chart_text`).
    `right_titles` maps a panel (1-based) to the title of a second y axis on its right
    (see `right_axes`). Laid out by hand: `make_subplots` costs more than the rest of a figure."""
    count = len(titles)
    height = (1 - spacing * (count - 1)) / count
    layout: dict[str, Any] = {"template": "none", "annotations": []}
    for i, title in enumerate(titles):
        suffix = "" if i == 0 else str(i + 1)
        top = 1 - i * (height + spacing)
        layout[f"yaxis{suffix}"] = {"domain": [max(top - height, 0), top], "anchor": f"x{suffix}"}
        layout[f"xaxis{suffix}"] = {"domain": [0, 1], "anchor": f"y{suffix}", "showticklabels": i == count - 1}
        if i < count - 1:
            layout[f"xaxis{suffix}"]["matches"] = f"x{count}"
        if right_titles and i + 1 in right_titles:
            layout[f"yaxis{count + i + 1}"] = {
                "overlaying": f"y{suffix}", "side": "right", "anchor": f"x{suffix}", "showgrid": False, "rangemode": "tozero",
                "title": {"text": right_titles[i + 1], "font": {"color": COLORS["purchase_value"]}},
            }
        layout["annotations"].append(
            {"text": title, "x": 0.5, "xref": "paper", "xanchor": "center", "y": top, "yref": "paper",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 14}}
        )
    return go.Figure(layout=layout)


def styled(fig: go.Figure, title: str | None, height: int, **extra: object) -> go.Figure:
    """The report's look. `title` (already `chart_text`) is None where the page's section heading says it."""
    layout: dict[str, object] = {
        "title": {"text": title or "", "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 12, "color": "#1d2433"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60 if title else 40, "b": 40},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        "hovermode": "x unified",
    }
    fig.update_layout(**{**layout, **extra})
    return fig


def clear_of_panel_titles(plot_height: int, right: int = 20) -> dict[str, object]:
    """Margin and legend position that keep the legend clear of the first subplot's title."""
    return {
        "margin": {"l": 60, "r": right, "t": 80, "b": 40},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1 + 30 / plot_height, "xanchor": "right", "x": 1},
    }


def panel_axes(row: int) -> dict[str, str]:
    """The axes of subplot `row` (1-based) of a `stacked_panels` figure."""
    suffix = "" if row == 1 else str(row)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def iso_dates(series: pl.Series) -> list[str]:
    """ISO dates: plotly validates and serialises strings far faster than date objects."""
    return series.cast(pl.String).to_list()


def right_axes(row: int, count: int) -> dict[str, str]:
    """The axes of the right-hand y axis of panel `row` in a figure of `count` panels."""
    return {"xaxis": panel_axes(row)["xaxis"], "yaxis": f"y{count + row}"}


def floats(series: pl.Series) -> list[float | None]:
    return series.cast(pl.Float64).to_list()


def money_format(currency: str) -> str:
    return f",.{decimal_places(currency)}f"


def translucent(hex_color: str, alpha: float = 0.18) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
