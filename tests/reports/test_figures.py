"""Figure builders on small frames: the traces each chart must carry, currencies kept apart, and
Meta's text escaped before plotly (which renders some HTML in labels) sees it."""

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


def test_roas_figure_shows_ours_beside_meta_and_escapes_names(frames):
    summary = metrics.campaign_summary(frames.campaign_daily, PERIOD)
    fig = figures.roas_figure(summary)
    assert names(fig) == ["ROAS (mmlens)", "ROAS (Meta)"]
    labels = list(fig.data[0].y)
    assert len(labels) == 5
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    assert not any("<" in label for label in labels)


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
    assert "&lt;script&gt;" in text
