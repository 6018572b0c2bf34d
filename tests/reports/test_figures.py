"""Figure builders on small frames: the traces each chart must carry, currencies kept apart, and
Meta's text given to plotly as written, with only what plotly would interpret as markup neutralised."""

import datetime as dt
import json

import plotly.graph_objects as go
import polars as pl
import pytest

from reports import figures, metrics
from reports.sample import HOSTILE_NAME, MARKUP_NAME, sample_frames

RUN = dt.date(2026, 11, 25)
PERIOD = metrics.Period.ending(RUN, metrics.PERIOD_DAYS)


@pytest.fixture(scope="module")
def frames():
    return sample_frames(RUN, days=21, campaigns=5)


def names(fig: go.Figure) -> list[str]:
    return [trace.name for trace in fig.data]


def test_headline_figure_has_one_indicator_per_metric_and_currency(frames):
    fig = figures.headline_figure(metrics.headlines(frames.campaign_daily, RUN))
    assert len(fig.data) == 12
    assert {t.type for t in fig.data} == {"indicator"}
    assert "Spend (EUR)" in names(fig) and "Spend (JPY)" in names(fig)
    spend = next(t for t in fig.data if t.name == "Spend (JPY)")
    assert spend.number.suffix == " JPY" and spend.number.valueformat == ",.0f"
    assert spend.delta.relative is True


def test_headline_without_a_previous_week_shows_the_number_only(frames):
    rows = metrics.headlines(frames.campaign_daily.filter(pl.col("date") > RUN - dt.timedelta(days=7)), RUN)
    fig = figures.headline_figure(rows)
    assert {t.mode for t in fig.data} == {"number"}


def test_trends_figure_gives_each_currency_its_own_money_panel(frames):
    fig = figures.trends_figure(metrics.daily_trends(frames.campaign_daily))
    assert names(fig) == [
        "Spend (EUR)", "Purchase value (EUR)", "Spend (JPY)", "Purchase value (JPY)", "Delivered", "Link clicks",
    ]
    # EUR and JPY amounts never share a y axis
    assert fig.data[0].yaxis != fig.data[2].yaxis
    assert len(fig.data[0].x) == 21


def test_roas_figure_shows_ours_beside_meta_and_names_as_written(frames):
    """plotly draws text, not HTML: a name is given as written, except the `<…>` and `&x;` shapes
    plotly would interpret, which get the two entities plotly decodes back (`&lt;`, `&amp;`)."""
    summary = metrics.campaign_summary(frames.campaign_daily, PERIOD)
    fig = figures.roas_figure(summary)
    assert names(fig) == ["ROAS (mmlens)", "ROAS (Meta)"]
    labels = list(fig.data[0].y)
    assert sorted(labels) == sorted([
        "&lt;img src=x onerror=alert(1)>",
        "Back to school &lt;b>&amp;amp;&lt;/b> &lt;script>window.__xs…",  # shortened to 48 characters
        'Flash "48h" deal & free shipping',
        "春のセール 🌸 限定",
        "\u2068Spring \u202egnp.exe\u2069",  # isolated: the override ends with the name
    ])
    assert list(fig.data[1].y) == labels


def test_roas_hover_shows_money_at_the_currencys_precision(frames):
    fig = figures.roas_figure(metrics.campaign_summary(frames.campaign_daily, PERIOD))
    spend = {row[1].rsplit(" ", 1)[1]: row[1] for row in fig.data[0].customdata}
    assert "." in spend["EUR"].split(" ")[0] and "." not in spend["JPY"].split(" ")[0]


def test_headline_cards_are_labelled_by_account_and_only_money_has_a_currency(frames):
    fig = figures.headline_figure(metrics.headlines(frames.campaign_daily, RUN))
    assert [t.title.text for t in fig.data] == [
        "Spend · act_1001", "Delivered · act_1001", "Link clicks · act_1001",
        "Purchases · act_1001", "Purchase value · act_1001", "ROAS · act_1001",
        "Spend · act_2002", "Delivered · act_2002", "Link clicks · act_2002",
        "Purchases · act_2002", "Purchase value · act_2002", "ROAS · act_2002",
    ]
    assert [t.number.suffix for t in fig.data[:6]] == [" EUR", None, None, None, " EUR", "×"]


@pytest.mark.parametrize(
    ("accounts", "label"),
    [(("1001",), "act_1001"), (("1001", "3003"), "act_1001 + act_3003"), (("1", "2", "3"), "3 EUR accounts"), ((), "EUR accounts")],
)
def test_accounts_label(accounts, label):
    row = metrics.Headline("EUR", "delivered", "Delivered", 1, None, None, accounts)
    assert figures.accounts_label(row) == label


def test_roas_figure_keeps_the_biggest_campaigns(frames):
    summary = metrics.campaign_summary(frames.campaign_daily, PERIOD)
    fig = figures.roas_figure(summary, limit=2)
    assert len(fig.data[0].y) == 2


def test_campaign_labels_are_unique_when_names_repeat():
    summary = pl.DataFrame({"campaign_name": ["Sale", "Sale", None], "message_campaign_id": ["1", "2", "3"]})
    assert figures.campaign_labels(summary) == ["Sale (1)", "Sale (2)", "3"]


def test_funnel_figure_carries_stage_rates(frames):
    stages = metrics.funnel_stages(frames.delivery_funnel_daily, PERIOD)
    fig = figures.funnel_figure(stages, {"rejected": 3, "failed": 4})
    assert names(fig) == ["Delivery funnel"]
    assert list(fig.data[0].y) == ["Attempted", "Sent", "Delivered", "Read", "Clicked"]
    assert "of sent" in fig.data[0].text[2]
    assert "failed after sending: 4" in fig.layout.title.text


def test_errors_figure_stacks_categories_in_catalogue_order(frames):
    fig = figures.errors_figure(metrics.errors_by_category(frames.error_codes_daily))
    assert fig.layout.barmode == "stack"
    assert names(fig) == ["frequency cap", "pacing or budget", "recipient unavailable", "rate limit", "unknown"]


def test_estimates_figure_has_a_range_and_an_actual_per_account_and_panel(frames):
    fig = figures.estimates_figure(metrics.estimates_vs_actual(frames.delivery_estimates))
    assert len(fig.data) == 12  # 2 accounts x (delivery, cost) x (low, high, actual)
    assert "act_1001 actual delivery" in names(fig) and "act_2002 actual cost" in names(fig)
    eur_cost = next(t for t in fig.data if t.name == "act_1001 actual cost")
    jpy_cost = next(t for t in fig.data if t.name == "act_2002 actual cost")
    assert eur_cost.yaxis != jpy_cost.yaxis


def test_conversions_figure_has_one_trace_per_window(frames):
    fig = figures.conversions_figure(metrics.conversions_by_type(frames.conversions_daily, PERIOD))
    assert sorted(names(fig)) == ["1d_view", "7d_click", "default"]
    assert set(fig.data[0].x) == {"purchase", "add to cart"}


def test_no_raw_meta_markup_reaches_any_figure(frames):
    summary = metrics.campaign_summary(frames.campaign_daily, PERIOD)
    text = json.dumps(figures.roas_figure(summary).to_plotly_json(), default=str)
    assert HOSTILE_NAME not in text and MARKUP_NAME not in text
    assert "<script" not in text and "<b>" not in text and "<img" not in text
    assert "&lt;script>" in text
