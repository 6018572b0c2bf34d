"""Figure builders on hand-made frames, trace by trace: what each trace plots, where (axes, panels,
grid cells), how it is labelled and formatted, and the layout each chart is given. The expected
values are written out from the frames below, so any change to what a chart shows is a failure."""

import datetime as dt
import math
from decimal import Decimal

import polars as pl
import pytest

from reports import figures
from reports.metrics import Headline


def day(n: int) -> dt.date:
    return dt.date(2026, 11, 1) + dt.timedelta(days=n - 1)


def traces(fig) -> list[dict]:
    return fig.to_plotly_json()["data"]


def without(trace: dict, *keys: str) -> dict:
    return {k: v for k, v in trace.items() if k not in keys}


def test_headline_cells_formats_and_deltas():
    """Two currencies (rows) by three metrics (columns). A delta only where both weeks are known
    and the week before is not 0; a current value of 0 still gets one."""
    rows = [
        Headline("EUR", "spend", "Spend", Decimal("12.50"), Decimal("10"), 0.25, ("1001",)),
        Headline("EUR", "delivered", "Delivered", 300, 0, None, ("1001",)),
        Headline("EUR", "roas", "ROAS", 2.5, None, None, ("1001",)),
        Headline("JPY", "spend", "Spend", None, Decimal("5"), None, ("2002", "2003", "2004")),
        Headline("JPY", "delivered", "Delivered", 40, 50, -0.2, ("2002", "2003", "2004")),
        Headline("JPY", "roas", "ROAS", 0, 1.5, -1.0, ("2002", "2003", "2004")),
    ]
    fig = figures.headline_figure(rows)
    data = traces(fig)
    title_font = {"size": 13, "color": "#6b7385"}
    eur, jpy = {"y": [0.52, 0.98]}, {"y": [0.02, 0.48]}
    columns = [[0.01, 1 / 3 - 0.01], [1 / 3 + 0.01, 2 / 3 - 0.01], [2 / 3 + 0.01, 0.99]]
    expected = [
        {"type": "indicator", "name": "Spend (EUR)", "mode": "number+delta", "value": 12.5,
         "number": {"font": {"size": 26}, "valueformat": ",.2f", "suffix": " EUR"},
         "title": {"text": "Spend · act_1001", "font": title_font},
         "delta": {"reference": 10.0, "relative": True, "valueformat": "+.1%"}},
        {"type": "indicator", "name": "Delivered (EUR)", "mode": "number", "value": 300.0,
         "number": {"font": {"size": 26}, "valueformat": ",.0f"},
         "title": {"text": "Delivered · act_1001", "font": title_font}},
        {"type": "indicator", "name": "ROAS (EUR)", "mode": "number", "value": 2.5,
         "number": {"font": {"size": 26}, "valueformat": ".2f", "suffix": "×"},
         "title": {"text": "ROAS · act_1001", "font": title_font}},
        {"type": "indicator", "name": "Spend (JPY)", "mode": "number",
         "number": {"font": {"size": 26}, "valueformat": ",.0f", "suffix": " JPY"},
         "title": {"text": "Spend · 3 JPY accounts", "font": title_font}},
        {"type": "indicator", "name": "Delivered (JPY)", "mode": "number+delta", "value": 40.0,
         "number": {"font": {"size": 26}, "valueformat": ",.0f"},
         "title": {"text": "Delivered · 3 JPY accounts", "font": title_font},
         "delta": {"reference": 50.0, "relative": True, "valueformat": "+.1%"}},
        {"type": "indicator", "name": "ROAS (JPY)", "mode": "number+delta", "value": 0.0,
         "number": {"font": {"size": 26}, "valueformat": ".2f", "suffix": "×"},
         "title": {"text": "ROAS · 3 JPY accounts", "font": title_font},
         "delta": {"reference": 1.5, "relative": True, "valueformat": "+.1%"}},
    ]
    assert [without(t, "domain", "value") for t in data] == [without(t, "value") for t in expected]
    assert [t.get("value") for t in data[:3] + data[4:]] == [t["value"] for t in expected[:3] + expected[4:]]
    assert math.isnan(data[3]["value"])  # an unknown current week is drawn as no number
    for n, trace in enumerate(data):
        assert trace["domain"]["x"] == pytest.approx(columns[n % 3])
        assert trace["domain"]["y"] == pytest.approx((eur if n < 3 else jpy)["y"])
    layout = fig.layout
    assert layout.height == 20 + 120 * 2
    assert layout.hovermode is False
    assert layout.margin.to_plotly_json() == {"l": 20, "r": 20, "t": 10, "b": 10}
    assert layout.title.text == ""


def test_headline_of_one_currency_and_of_none():
    one = figures.headline_figure([Headline("EUR", "purchases", "Purchases", 7, 7, 0.0, ())])
    assert one.layout.height == 140
    assert traces(one)[0]["domain"] == {"x": [0.01, 0.99], "y": [0.02, 0.98]}
    assert traces(one)[0]["title"]["text"] == "Purchases · EUR accounts"
    assert figures.headline_figure([]).layout.height == 140  # no row: still one row's height
    assert figures.headline_figure([]).data == ()


def test_headline_text_from_meta_is_neutralised_for_plotly():
    row = Headline("<b>X</b>", "spend", "Spend", Decimal("1"), None, None, ("1", "2", "3"))
    trace = traces(figures.headline_figure([row]))[0]
    assert trace["number"]["suffix"] == " &lt;b>X&lt;/b>"
    assert trace["title"]["text"] == "Spend · 3 &lt;b>X&lt;/b> accounts"


TRENDS = pl.DataFrame(
    {
        "currency": ["EUR", "EUR", "JPY", "JPY"],
        "date": [day(1), day(2), day(2), day(3)],
        "spend": [Decimal("1.50"), Decimal("2.25"), Decimal("300"), Decimal("0")],
        "purchase_value": [Decimal("6.00"), Decimal("0"), Decimal("1200"), Decimal("0")],
        "delivered": [100, 50, 20, 5],
        "link_clicks": [7, 3, 1, 0],
    }
)


def test_trends_traces_panels_and_axes():
    """Money per currency on its own panel (spend left, purchase value on the right axis), the
    second currency dotted; counts added across currencies per date in the last panel."""
    fig = figures.trends_figure(TRENDS)
    eur_dates, jpy_dates = ["2026-11-01", "2026-11-02"], ["2026-11-02", "2026-11-03"]
    money = {"mode": "lines", "type": "scatter"}
    assert traces(fig) == [
        {**money, "name": "Spend (EUR)", "x": eur_dates, "y": [1.5, 2.25], "xaxis": "x", "yaxis": "y",
         "line": {"color": "#3b6fd8", "width": 2, "dash": "solid"}, "hovertemplate": "%{y:,.2f} EUR"},
        {**money, "name": "Purchase value (EUR)", "x": eur_dates, "y": [6.0, 0.0], "xaxis": "x", "yaxis": "y4",
         "line": {"color": "#1f9d74", "width": 2, "dash": "solid"}, "hovertemplate": "%{y:,.2f} EUR"},
        {**money, "name": "Spend (JPY)", "x": jpy_dates, "y": [300.0, 0.0], "xaxis": "x2", "yaxis": "y2",
         "line": {"color": "#3b6fd8", "width": 2, "dash": "dot"}, "hovertemplate": "%{y:,.0f} JPY"},
        {**money, "name": "Purchase value (JPY)", "x": jpy_dates, "y": [1200.0, 0.0], "xaxis": "x2", "yaxis": "y5",
         "line": {"color": "#1f9d74", "width": 2, "dash": "dot"}, "hovertemplate": "%{y:,.0f} JPY"},
        {**money, "name": "Delivered", "x": ["2026-11-01", "2026-11-02", "2026-11-03"], "y": [100, 70, 5],
         "xaxis": "x3", "yaxis": "y3", "line": {"color": "#3b6fd8", "width": 2}, "hovertemplate": "%{y:,.0f}"},
        {**money, "name": "Link clicks", "x": ["2026-11-01", "2026-11-02", "2026-11-03"], "y": [7, 4, 0],
         "xaxis": "x3", "yaxis": "y3", "line": {"color": "#e08a1e", "width": 2}, "hovertemplate": "%{y:,.0f}"},
    ]
    layout = fig.to_plotly_json()["layout"]
    assert [a["text"] for a in layout["annotations"]] == [
        "Spend and purchase value (EUR)", "Spend and purchase value (JPY)", "Delivered and link clicks (all accounts)",
    ]
    # three panels 0.08 apart: each (1 - 2 * 0.08) / 3 = 0.28 high
    assert layout["yaxis"]["domain"] == pytest.approx([0.72, 1])
    assert layout["yaxis2"]["domain"] == pytest.approx([0.36, 0.64])
    assert layout["yaxis3"]["domain"] == pytest.approx([0, 0.28])
    for axis, currency in (("yaxis", "EUR"), ("yaxis2", "JPY")):
        assert layout[axis]["title"] == {"text": f"spend ({currency})", "font": {"color": "#3b6fd8"}}
        assert layout[axis]["rangemode"] == "tozero"
    assert "title" not in layout["yaxis3"] and "rangemode" not in layout["yaxis3"]
    assert layout["yaxis4"]["overlaying"] == "y" and layout["yaxis4"]["title"]["text"] == "purchase value (EUR)"
    assert layout["yaxis5"]["overlaying"] == "y2" and layout["yaxis5"]["title"]["text"] == "purchase value (JPY)"
    assert layout["height"] == 120 + 220 * 3
    assert layout["margin"] == {"l": 60, "r": 70, "t": 80, "b": 40}
    assert layout["legend"]["y"] == pytest.approx(1 + 30 / 660)


def test_trends_of_an_unnamed_currency_are_neutralised_for_plotly():
    frame = TRENDS.with_columns(pl.lit("<i>").alias("currency"))
    fig = figures.trends_figure(frame)
    assert [t["name"] for t in traces(fig)[:2]] == ["Spend (&lt;i>)", "Purchase value (&lt;i>)"]
    assert traces(fig)[0]["hovertemplate"] == "%{y:,.2f} &lt;i>"  # unknown currency: two decimals
    layout = fig.to_plotly_json()["layout"]
    assert layout["annotations"][0]["text"] == "Spend and purchase value (&lt;i>)"
    assert layout["yaxis"]["title"]["text"] == "spend (&lt;i>)"
    assert layout["yaxis3"]["title"]["text"] == "purchase value (&lt;i>)"


def summary(n: int) -> pl.DataFrame:
    """`n` campaigns, campaign i delivering 10 * i, in EUR, except the third (JPY)."""
    ids = [str(i) for i in range(1, n + 1)]
    return pl.DataFrame(
        {
            "message_campaign_id": ids,
            "campaign_name": [f"Campaign {i}" for i in ids],
            "currency": ["JPY" if i == "3" else "EUR" for i in ids],
            "spend": [Decimal(i) for i in ids],
            "purchase_value": [Decimal(i) * 3 for i in ids],
            "delivered": [10 * int(i) for i in ids],
            "roas": [3.0] * n,
            "api_roas": [2.5] * n,
        }
    )


def test_roas_bars_order_hover_and_layout():
    """The most delivered first from the top (plotly draws the first category at the bottom, hence
    reversed); on a tie the smaller id first."""
    frame = pl.DataFrame(
        {
            "message_campaign_id": ["2", "1", "3", "4"],
            "campaign_name": ["Two", "One", "Three", "Four"],
            "currency": ["EUR", "EUR", "JPY", "EUR"],
            "spend": [Decimal("2.5"), Decimal("1234.5"), Decimal("98000"), Decimal("1")],
            "purchase_value": [Decimal("5"), Decimal("0"), Decimal("196000"), Decimal("1")],
            "delivered": [500, 500, 900, 10],
            "roas": [2.0, 0.0, 2.0, 1.0],
            "api_roas": [1.9, None, 2.1, 1.0],
        }
    )
    fig = figures.roas_figure(frame, limit=3)
    custom = [["2", "2.50 EUR", "5.00 EUR"], ["1", "1,234.50 EUR", "0.00 EUR"], ["3", "98,000 JPY", "196,000 JPY"]]
    tail = "<br>spend %{customdata[1]}, purchase value %{customdata[2]}<extra></extra>"
    assert traces(fig) == [
        {"type": "bar", "name": "ROAS (mmlens)", "y": ["Two", "One", "Three"], "x": [2.0, 0.0, 2.0], "orientation": "h",
         "marker": {"color": "#3b6fd8"}, "customdata": custom,
         "hovertemplate": "%{y}<br>id %{customdata[0]}<br>ROAS (mmlens) %{x:.2f}×" + tail},
        {"type": "bar", "name": "ROAS (Meta)", "y": ["Two", "One", "Three"], "x": [1.9, None, 2.1], "orientation": "h",
         "marker": {"color": "#a0a7b4"}, "customdata": custom,
         "hovertemplate": "%{y}<br>id %{customdata[0]}<br>ROAS (Meta) %{x:.2f}×" + tail},
    ]
    layout = fig.to_plotly_json()["layout"]
    assert layout["yaxis"] == {"type": "category", "automargin": True}
    assert layout["xaxis"] == {"title": {"text": "purchase value / spend"}, "ticksuffix": "×"}
    assert layout["title"]["text"] == "Top 3 campaigns by messages delivered"
    assert layout["height"] == 120 + 34 * 3
    assert layout["barmode"] == "group" and layout["hovermode"] == "closest"


def test_roas_height_grows_past_three_campaigns_and_the_default_limit_is_25():
    assert figures.roas_figure(summary(1)).layout.height == 120 + 34 * 3
    assert figures.roas_figure(summary(4), limit=10).layout.height == 120 + 34 * 4
    fig = figures.roas_figure(summary(26))
    assert len(fig.data[0].y) == 25 and "Campaign 1" not in fig.data[0].y  # the least delivered is left out
    assert fig.layout.title.text == "Top 25 campaigns by messages delivered"


def test_roas_hover_ids_and_amounts_are_neutralised_for_plotly():
    frame = summary(1).with_columns(pl.lit("<b>9</b>").alias("message_campaign_id"), pl.lit("<x>").alias("currency"))
    assert traces(figures.roas_figure(frame))[0]["customdata"] == [["&lt;b>9&lt;/b>", "1.00 &lt;x>", "3.00 &lt;x>"]]


def test_campaign_labels_shorten_repeated_names_more_to_leave_room_for_the_id():
    long = "A" * 40
    frame = pl.DataFrame(
        {"campaign_name": [long, long, "B" * 48, "C" * 49, "", "<b>"], "message_campaign_id": ["1", "2", "3", "4", "5", "6"]}
    )
    assert figures.campaign_labels(frame) == [
        "A" * 35 + "… (1)", "A" * 35 + "… (2)", "B" * 48, "C" * 47 + "…", "5", "&lt;b>",
    ]


def test_funnel_text_colours_and_losses():
    stages = pl.DataFrame(
        {"label": ["Sent", "Delivered", "Read"], "count": [1000, 900, 450], "rate": [None, 0.9, 0.5]}
    )
    fig = figures.funnel_figure(stages, {"rejected": 1234, "failed": 5})
    assert traces(fig) == [
        {"type": "funnel", "name": "Delivery funnel", "y": ["Sent", "Delivered", "Read"], "x": [1000, 900, 450],
         "text": ["1,000", "900 · 90.0% of sent", "450 · 50.0% of delivered"], "textinfo": "text",
         "textposition": "auto", "marker": {"color": ["#29335c", "#3b6fd8", "#669bbc"]},
         "hovertemplate": "%{y}: %{x:,}<extra></extra>"},
    ]
    layout = fig.to_plotly_json()["layout"]
    assert layout["title"]["text"] == "rejected by the Send API: 1,234 · failed after sending: 5"
    assert layout["height"] == 340 and layout["hovermode"] == "closest"
    assert layout["margin"] == {"l": 90, "r": 20, "t": 50, "b": 30}


def test_funnel_of_five_stages_and_no_losses():
    stages = pl.DataFrame(
        {"label": ["Attempted", "Sent", "Delivered", "Read", "Clicked"], "count": [10, 0, 0, 0, 0],
         "rate": [None, 0.0, None, None, None]}
    )
    fig = figures.funnel_figure(stages, {})
    assert fig.data[0].marker.color == ("#29335c", "#3b6fd8", "#669bbc", "#1f9d74", "#e08a1e")
    assert fig.data[0].text == ("10", "0 · 0.0% of attempted", "0", "0", "0")
    assert fig.layout.title.text == "rejected by the Send API: 0 · failed after sending: 0"


def errors(days: int) -> pl.DataFrame:
    dates = [day(1) + dt.timedelta(days=n) for n in range(days)]
    categories = ["frequency_cap", "rate_limit", "zeta_new", "alpha_new", "unknown"]
    return pl.DataFrame(
        {
            "date": [d for d in dates for _ in categories],
            "category": categories * days,
            "occurrences": list(range(1, 5 * days + 1)),
        }
    )


def test_errors_bars_by_category_in_catalogue_order_then_new_ones_alphabetically():
    fig = figures.errors_figure(errors(2))
    dates = ["2026-11-01", "2026-11-02"]
    bar = {"type": "bar", "x": dates, "hovertemplate": "%{y:,}"}
    assert traces(fig) == [
        {**bar, "name": "frequency cap", "y": [1, 6], "marker": {"color": "#e4572e", "line": {"width": 0}}},
        {**bar, "name": "rate limit", "y": [2, 7], "marker": {"color": "#29335c", "line": {"width": 0}}},
        {**bar, "name": "unknown", "y": [5, 10], "marker": {"color": "#9aa0a6", "line": {"width": 0}}},
        {**bar, "name": "alpha new", "y": [4, 9], "marker": {"color": "#9aa0a6", "line": {"width": 0}}},
        {**bar, "name": "zeta new", "y": [3, 8], "marker": {"color": "#9aa0a6", "line": {"width": 0}}},
    ]
    layout = fig.to_plotly_json()["layout"]
    assert layout["yaxis"] == {"title": {"text": "occurrences"}}
    assert layout["height"] == 360 and layout["barmode"] == "stack"


def test_error_categories_have_fixed_colours():
    assert figures.CATEGORY_COLORS == {
        "frequency_cap": "#e4572e", "pacing_or_budget": "#f3a712", "recipient_unavailable": "#7d5ba6",
        "rate_limit": "#29335c", "creative_or_validation": "#db2b39", "setup": "#4c956c", "transient": "#669bbc",
        "auth": "#a8201a", "unknown": "#9aa0a6",
    }


def test_error_bars_keep_gaps_up_to_90_days():
    assert figures.errors_figure(errors(90)).layout.bargap == 0.1
    assert figures.errors_figure(errors(91)).layout.bargap == 0


def test_error_category_names_are_neutralised_for_plotly():
    frame = pl.DataFrame({"date": [day(1)], "category": ["<b>_x"], "occurrences": [1]})
    assert traces(figures.errors_figure(frame))[0]["name"] == "&lt;b> x"


SIX = ["USD", "EUR", "JPY", "GBP", "CHF", "SEK"]  # not in alphabetical order: panels follow the input


def test_trend_panels_follow_the_order_currencies_come_in():
    frame = pl.DataFrame(
        {"currency": SIX, "date": [day(1)] * 6, "spend": [Decimal(1)] * 6, "purchase_value": [Decimal(2)] * 6,
         "delivered": [1] * 6, "link_clicks": [0] * 6}
    )
    fig = figures.trends_figure(frame)
    assert [a.text for a in fig.layout.annotations][:6] == [f"Spend and purchase value ({c})" for c in SIX]
    assert [t.name for t in fig.data][:12:2] == [f"Spend ({c})" for c in SIX]
