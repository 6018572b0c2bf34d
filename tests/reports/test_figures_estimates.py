"""The estimates and conversions figures on hand-made frames, trace by trace (see
test_figures_layout.py): bands and actuals per account and panel, colours, names, the layout."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from reports import figures

BLUE, GREEN = "#3b6fd8", "#1f9d74"


def estimates(accounts: list[tuple[str, str | None]], days: int = 2) -> pl.DataFrame:
    """One snapshot a day from 2026-11-01 for each (account, currency); on day d account n (from 0)
    has bounds 10n + d … 10n + d + 2 and actuals 10n + d + 1, spend the same in its currency."""
    rows = []
    for n, (account, currency) in enumerate(accounts):
        for d in range(1, days + 1):
            base = 10 * n + d
            rows.append({
                "ad_account_id": account, "date": dt.date(2026, 11, d), "currency": currency,
                "estimate_delivery_lower_bound": base, "estimate_delivery_upper_bound": base + 2,
                "actual_delivered": base + 1,
                "estimate_cost_lower_bound": Decimal(base), "estimate_cost_upper_bound": Decimal(base + 2),
                "actual_spend": Decimal(base + 1),
            })
    return pl.DataFrame(rows)


def test_estimates_bands_and_actuals_per_account_and_panel():
    """Delivery on the first panel; cost on the panel of the account's currency (unknown as `?`).
    Each range is a low line and a high line filled down to it, both kept out of the legend."""
    fig = figures.estimates_figure(estimates([("1001", "EUR"), ("2002", None)]))
    dates = ["2026-11-01", "2026-11-02"]

    def band(account, kind, color, axes, low, high, actual):
        group = f"act_{account}-{kind}"
        hidden = {"type": "scatter", "x": dates, "legendgroup": group, "showlegend": False, "mode": "lines",
                  "line": {"width": 0, "color": color}, **axes}
        fill = "rgba(59,111,216,0.18)" if color == BLUE else "rgba(31,157,116,0.18)"
        return [
            {**hidden, "name": f"act_{account} estimate low", "y": low},
            {**hidden, "name": f"act_{account} estimate high", "y": high, "fill": "tonexty", "fillcolor": fill},
            {"type": "scatter", "x": dates, "y": actual, "name": f"act_{account} actual {kind}", "legendgroup": group,
             "mode": "lines", "line": {"color": color, "width": 2}, **axes},
        ]

    first, second, third = ({"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}, {"xaxis": "x3", "yaxis": "y3"})
    assert fig.to_plotly_json()["data"] == [
        *band("1001", "delivery", BLUE, first, [1.0, 2.0], [3.0, 4.0], [2.0, 3.0]),
        *band("1001", "cost", BLUE, second, [1.0, 2.0], [3.0, 4.0], [2.0, 3.0]),
        *band("2002", "delivery", GREEN, first, [11.0, 12.0], [13.0, 14.0], [12.0, 13.0]),
        *band("2002", "cost", GREEN, third, [11.0, 12.0], [13.0, 14.0], [12.0, 13.0]),
    ]
    layout = fig.to_plotly_json()["layout"]
    assert [a["text"] for a in layout["annotations"]] == [
        "Delivery: estimate range vs delivered", "Cost: estimate range vs spend (EUR)", "Cost: estimate range vs spend (?)",
    ]
    # three panels 0.1 apart: each (1 - 2 * 0.1) / 3 high
    assert layout["yaxis"]["domain"] == pytest.approx([1 - 0.8 / 3, 1])
    assert layout["yaxis3"]["domain"] == pytest.approx([0, 0.8 / 3])
    assert layout["height"] == 120 + 240 * 3
    assert layout["margin"] == {"l": 60, "r": 20, "t": 80, "b": 40}
    assert layout["legend"]["y"] == pytest.approx(1 + 30 / 720)


def test_estimates_of_accounts_sharing_a_currency_share_its_panel_and_colours_wrap_after_six():
    accounts = [(str(1000 + n), "EUR") for n in range(7)]
    fig = figures.estimates_figure(estimates(accounts))
    assert fig.layout.height == 120 + 240 * 2
    actual = [t for t in fig.data if " actual " in t.name]
    assert [(t.name, t.yaxis, t.line.color) for t in actual if t.name.endswith("cost")] == [
        ("act_1000 actual cost", "y2", BLUE), ("act_1001 actual cost", "y2", GREEN),
        ("act_1002 actual cost", "y2", "#e08a1e"), ("act_1003 actual cost", "y2", "#7d5ba6"),
        ("act_1004 actual cost", "y2", "#db2b39"), ("act_1005 actual cost", "y2", "#669bbc"),
        ("act_1006 actual cost", "y2", BLUE),
    ]


def test_estimate_accounts_and_currencies_are_neutralised_for_plotly():
    fig = figures.estimates_figure(estimates([("<b>", "<i>")]))
    assert [t.name for t in fig.data][:3] == ["act_&lt;b> estimate low", "act_&lt;b> estimate high", "act_&lt;b> actual delivery"]
    assert fig.layout.annotations[1].text == "Cost: estimate range vs spend (&lt;i>)"


def test_conversions_bars_per_window_with_readable_action_types():
    by_type = pl.DataFrame(
        {
            "action_type": ["offsite_conversion.fb_pixel_purchase", "offsite_conversion.fb_pixel_add_to_cart",
                            "offsite_conversion.fb_pixel_purchase", "onsite_web_lead", "<b>_x"],
            "attribution_window": ["7d_click", "7d_click", "1d_view", "1d_view", "<i>"],
            "conversions": [Decimal("12"), Decimal("3.5"), Decimal("4"), Decimal("1"), Decimal("2")],
        }
    )
    fig = figures.conversions_figure(by_type)
    bar = {"type": "bar", "hovertemplate": "%{x}: %{y:,}"}
    assert fig.to_plotly_json()["data"] == [
        {**bar, "name": "7d_click", "x": ["purchase", "add to cart"], "y": [12.0, 3.5]},
        {**bar, "name": "1d_view", "x": ["purchase", "onsite web lead"], "y": [4.0, 1.0]},
        {**bar, "name": "&lt;i>", "x": ["&lt;b> x"], "y": [2.0]},
    ]
    layout = fig.to_plotly_json()["layout"]
    assert layout["height"] == 320 and layout["barmode"] == "group" and layout["hovermode"] == "closest"
    assert layout["title"]["text"] == ""


SIX = ["USD", "EUR", "JPY", "GBP", "CHF", "SEK"]  # not in alphabetical order: the figure follows the input


def test_estimate_accounts_and_cost_panels_follow_the_order_they_come_in():
    accounts = [("9", "USD"), ("3", "EUR"), ("7", "JPY"), ("1", "GBP"), ("5", "CHF"), ("2", "SEK")]
    fig = figures.estimates_figure(estimates(accounts))
    assert [a.text for a in fig.layout.annotations][1:] == [f"Cost: estimate range vs spend ({c})" for c in SIX]
    assert [t.name for t in fig.data if t.name.endswith("actual delivery")] == [
        f"act_{a} actual delivery" for a, _ in accounts
    ]


def test_conversion_windows_follow_the_order_they_come_in():
    by_type = pl.DataFrame({"action_type": ["lead"] * 6, "attribution_window": SIX, "conversions": [Decimal(1)] * 6})
    assert [t.name for t in figures.conversions_figure(by_type).data] == SIX


def test_an_account_with_a_single_snapshot():
    fig = figures.estimates_figure(estimates([("1001", "EUR")], days=1))
    assert [(t.name, t.x, t.y) for t in fig.data if " actual " in t.name] == [
        ("act_1001 actual delivery", ("2026-11-01",), (2.0,)), ("act_1001 actual cost", ("2026-11-01",), (2.0,)),
    ]
