"""HTML tables escape every cell and show money in its own currency; mart frames are checked for
the columns the report needs, with ids and codes kept as text."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from reports import metrics, tables
from reports.frames import ReportFrames, ReportInputError, normalise
from reports.sample import HOSTILE_NAME, sample_frames

RUN = dt.date(2026, 11, 25)
PERIOD = metrics.Period.ending(RUN, 28)


@pytest.fixture(scope="module")
def frames():
    return sample_frames(RUN, days=10, campaigns=4)


def test_campaign_table_escapes_names_and_keeps_currencies(frames):
    html = tables.campaign_table(metrics.campaign_summary(frames.campaign_daily, PERIOD), PERIOD.label())
    assert HOSTILE_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>" not in html
    assert html.count("<tr>") == 1 + 4
    assert " EUR</td>" in html and " JPY</td>" in html


def test_campaign_table_isolates_bidi_names_and_shows_others_as_written():
    summary = pl.DataFrame(
        {
            "ad_account_id": ["1", "1"], "message_campaign_id": ["10", "11"], "currency": ["EUR", "EUR"],
            "campaign_name": ["Spring \u202egnp.exe", 'Flash "48h" deal & free shipping'],
            "spend": [Decimal("1"), Decimal("1")], "delivered": [1, 1], "link_clicks": [0, 0],
            "purchases": [Decimal("0"), Decimal("0")], "purchase_value": [Decimal("0"), Decimal("0")],
            "roas": [0.0, 0.0], "api_roas": [None, None],
        }
    )
    html = tables.campaign_table(summary, "p")
    assert '<td class="text">\u2068Spring \u202egnp.exe\u2069<span class="id">10</span></td>' in html
    assert '<td class="text">Flash &quot;48h&quot; deal &amp; free shipping<span class="id">11</span></td>' in html


def test_campaign_table_flags_meta_roas_that_disagrees():
    summary = pl.DataFrame(
        {
            "ad_account_id": ["1", "1"], "message_campaign_id": ["10", "11"], "currency": ["EUR", "EUR"],
            "campaign_name": ["a", "b"], "spend": [Decimal("10"), Decimal("10")], "delivered": [10, 0],
            "link_clicks": [1, 0], "purchases": [Decimal("1"), Decimal("0")], "purchase_value": [Decimal("20"), Decimal("0")],
            "roas": [2.0, 1.0], "api_roas": [2.01, 1.5],
        }
    )
    html = tables.campaign_table(summary, "p")
    assert html.count('class="num flag"') == 1  # 0.5% apart is fine, 50% is flagged


def test_error_codes_table_shows_meaning_and_advice(frames):
    top = metrics.top_error_codes(frames.error_codes_daily, PERIOD)
    html = tables.error_codes_table(top, PERIOD.label())
    assert "Raise the campaign budget" in html
    assert "not in the catalogue" in html  # the unknown code is shown, not dropped
    assert html.count("<tr>") == 1 + top.height


def test_normalise_rejects_a_mart_without_a_needed_column():
    frame = sample_frames(RUN, days=1, campaigns=1).campaign_daily.drop("spend", "currency")
    with pytest.raises(ReportInputError, match="^marts.campaign_daily lacks columns the report needs: currency, spend$"):
        normalise("campaign_daily", frame)


def test_normalise_keeps_codes_as_text_and_fills_optional_columns():
    frame = pl.DataFrame(
        {"date": [RUN], "message_campaign_id": ["120210000000000001"], "source": ["send_api"],
         "error_code": [2300069], "error_name": ["x"], "category": ["frequency_cap"], "occurrences": [3]}
    )
    result = normalise("error_codes_daily", frame)
    assert result["error_code"].to_list() == ["2300069"]
    assert result["advice"].to_list() == [None]


def test_normalise_accepts_the_estimates_mart_names():
    frame = pl.DataFrame(
        {"ad_account_id": ["1"], "snapshot_date": [RUN], "currency": ["EUR"], "estimate_delivery_lower_bound": [1],
         "estimate_delivery_upper_bound": [2], "estimate_cost_lower_bound": [Decimal("1.5")],
         "estimate_cost_upper_bound": [Decimal("2.5")], "actual_delivered": [None], "actual_spend": [None]}
    )
    result = normalise("delivery_estimates", frame)
    assert result["date"].to_list() == [RUN]
    assert result.schema["actual_spend"] == pl.Decimal(18, 4)


def test_missing_marts_become_empty_frames():
    frames = ReportFrames.of({})
    assert frames.total_rows == 0
    assert frames.campaign_daily.columns[:3] == ["ad_account_id", "message_campaign_id", "campaign_name"]


def test_estimates_table_says_when_a_day_is_not_known_yet(frames):
    latest = metrics.latest_estimates(frames.delivery_estimates)
    later = latest.head(1).with_columns(
        pl.lit(RUN + dt.timedelta(days=1)).alias("date"),
        pl.lit(None, pl.Int64).alias("actual_delivered"),
        pl.lit(None, pl.Decimal(18, 4)).alias("actual_spend"),
        pl.lit(None, pl.Boolean).alias("delivered_within"),
        pl.lit(None, pl.Boolean).alias("spend_within"),
    )
    html = tables.estimates_table(pl.concat([latest, later]))
    assert html.count("<tr>") == 1 + latest.height + 1
    assert "not known yet" in html
    assert " JPY – " in html and " EUR</td>" in html
