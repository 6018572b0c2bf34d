"""The report's aggregations, on small hand-made mart frames.

Cases exist for what analysts would otherwise get wrong: currencies added together, ROAS averaged
over days instead of a ratio of sums, a zero previous week turned into an infinite change, an
unknown error code dropped, Meta's ROAS weighted by day instead of by spend.
"""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from reports import metrics
from reports.frames import normalise

RUN = dt.date(2026, 11, 25)


def day(offset: int) -> dt.date:
    return RUN - dt.timedelta(days=offset)


def campaign_daily(rows: list[dict]) -> pl.DataFrame:
    base = {"ad_account_id": "1", "message_campaign_id": "10", "campaign_name": "c", "currency": "EUR", "spend": "0",
            "delivered": 0, "link_clicks": 0, "purchases": "0", "purchase_value": "0", "api_roas": None}
    full = [{**base, **row} for row in rows]
    for row in full:
        for key in ("spend", "purchases", "purchase_value"):
            row[key] = Decimal(row[key])
    return normalise("campaign_daily", pl.DataFrame(full, infer_schema_length=None))


def headline(rows, currency, metric):
    return next(h for h in rows if h.currency == currency and h.metric == metric)


def test_headlines_compare_last_7_days_with_the_7_before_per_currency():
    frame = campaign_daily(
        [
            {"date": day(0), "spend": "10", "purchase_value": "40", "delivered": 100},
            {"date": day(6), "spend": "10", "purchase_value": "20", "delivered": 100},
            {"date": day(7), "spend": "5", "purchase_value": "10", "delivered": 50},  # previous week
            {"date": day(13), "spend": "5", "purchase_value": "5", "delivered": 50},
            {"date": day(14), "spend": "999", "purchase_value": "999", "delivered": 999},  # outside both
            {"date": day(1), "currency": "JPY", "ad_account_id": "2", "spend": "1000", "purchase_value": "3000"},
        ]
    )
    rows = metrics.headlines(frame, RUN)
    assert {h.currency for h in rows} == {"EUR", "JPY"}
    spend = headline(rows, "EUR", "spend")
    assert (spend.current, spend.previous) == (Decimal("20"), Decimal("10"))
    assert spend.change == pytest.approx(1.0)
    # ratio of sums: 60 / 20, not the mean of 4 and 2
    assert headline(rows, "EUR", "roas").current == pytest.approx(3.0)
    assert headline(rows, "EUR", "roas").previous == pytest.approx(1.5)
    # JPY never added to EUR; no previous week means no change rather than an infinite one
    jpy = headline(rows, "JPY", "spend")
    assert (jpy.current, jpy.previous, jpy.change) == (Decimal("1000"), None, None)


def test_headline_roas_is_none_when_nothing_was_spent():
    rows = metrics.headlines(campaign_daily([{"date": day(0), "spend": "0", "purchase_value": "5"}]), RUN)
    assert headline(rows, "EUR", "roas").current is None
    assert headline(rows, "EUR", "purchase_value").current == Decimal("5")


def test_campaign_summary_uses_ratio_of_sums_and_spend_weighted_meta_roas():
    frame = campaign_daily(
        [
            {"date": day(0), "spend": "10", "purchase_value": "10", "api_roas": 1.0},
            {"date": day(1), "spend": "30", "purchase_value": "90", "api_roas": 3.0},
            {"date": day(2), "spend": "60", "purchase_value": "0", "api_roas": None},  # Meta silent that day
            {"date": day(0), "message_campaign_id": "11", "spend": "0", "purchase_value": "7", "campaign_name": None},
            {"date": day(40), "message_campaign_id": "12", "spend": "5"},  # outside the period
        ]
    )
    summary = metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28))
    assert summary["message_campaign_id"].to_list() == ["10", "11"]  # biggest spender first
    first = summary.row(0, named=True)
    assert first["spend"] == Decimal("100")
    assert first["roas"] == pytest.approx(1.0)  # 100 / 100
    # Meta omits its ROAS on a day without purchases: that day weighs in as 0, so Meta's ratio of
    # sums over the period equals ours (averaging only the reported days would give 2.5).
    assert first["api_roas"] == pytest.approx((10 * 1 + 30 * 3) / 100)
    second = summary.row(1, named=True)
    assert second["roas"] is None and second["api_roas"] is None


def test_campaign_summary_keeps_the_latest_name():
    frame = campaign_daily(
        [{"date": day(3), "campaign_name": "old name"}, {"date": day(1), "campaign_name": "new name"}, {"date": day(0), "campaign_name": None}]
    )
    assert metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28))["campaign_name"].to_list() == ["new name"]


def funnel(rows: list[dict]) -> pl.DataFrame:
    base = {"page_id": "5", "message_campaign_id": "10", "attempted": 0, "accepted": 0, "rejected": 0, "sent": 0,
            "delivered": 0, "read": 0, "clicked": 0, "failed": 0}
    return normalise("delivery_funnel_daily", pl.DataFrame([{**base, **r} for r in rows]))


@pytest.mark.parametrize(
    ("attempted", "stages"),
    [
        (120, ["attempted", "sent", "delivered", "read", "clicked"]),
        (0, ["sent", "delivered", "read", "clicked"]),  # webhooks only, no send logs
    ],
)
def test_funnel_stages_and_rates(attempted, stages):
    frame = funnel(
        [
            {"date": day(0), "attempted": attempted, "sent": 100, "delivered": 80, "read": 40, "clicked": 10, "failed": 20},
            {"date": day(30), "sent": 1000, "delivered": 1000},  # outside the period
        ]
    )
    result = metrics.funnel_stages(frame, metrics.Period.ending(RUN, 28))
    assert result["stage"].to_list() == stages
    rates = dict(zip(result["stage"], result["rate"], strict=True))
    assert rates["delivered"] == pytest.approx(0.8)
    assert rates["read"] == pytest.approx(0.5)
    assert rates["clicked"] == pytest.approx(0.25)
    assert rates[stages[0]] is None
    assert metrics.funnel_losses(frame, metrics.Period.ending(RUN, 28)) == {"rejected": 0, "failed": 20}


def test_funnel_rate_after_an_empty_stage_is_none():
    result = metrics.funnel_stages(funnel([{"date": day(0)}]), metrics.Period.ending(RUN, 28))
    assert result["rate"].to_list() == [None, None, None, None]


def errors(rows: list[dict]) -> pl.DataFrame:
    base = {"message_campaign_id": "10", "source": "send_api", "error_name": None, "category": None,
            "retryable": None, "advice": None, "occurrences": 1}
    return normalise("error_codes_daily", pl.DataFrame([{**base, **r} for r in rows], infer_schema_length=None))


def test_top_error_codes_rank_keep_unknown_codes_and_merge_sources():
    frame = errors(
        [
            {"date": day(0), "error_code": "2300069", "error_name": "frequency cap", "category": "frequency_cap",
             "advice": "wait", "retryable": False, "occurrences": 5},
            {"date": day(1), "error_code": "2300069", "source": "delivery_failed_webhook", "category": "frequency_cap",
             "error_name": "frequency cap", "occurrences": 4},
            {"date": day(0), "error_code": "unknown", "occurrences": 3},
            {"date": day(0), "error_code": "613", "category": "rate_limit", "occurrences": 1},
            {"date": day(50), "error_code": "613", "category": "rate_limit", "occurrences": 100},  # outside
        ]
    )
    top = metrics.top_error_codes(frame, metrics.Period.ending(RUN, 28), limit=2)
    assert top["error_code"].to_list() == ["2300069", "unknown"]
    first = top.row(0, named=True)
    assert first["occurrences"] == 9
    assert first["sources"] == "delivery_failed_webhook, send_api"
    assert first["advice"] == "wait"
    assert first["share"] == pytest.approx(9 / 13)
    assert top.row(1, named=True)["category"] == "unknown"


def test_errors_by_category_counts_missing_category_as_unknown():
    frame = errors([{"date": day(0), "error_code": "x", "occurrences": 2}, {"date": day(0), "error_code": "613",
                    "category": "rate_limit", "occurrences": 3}])
    result = metrics.errors_by_category(frame)
    assert dict(zip(result["category"], result["occurrences"], strict=True)) == {"rate_limit": 3, "unknown": 2}


def test_conversions_by_type_sums_counts_per_window():
    frame = normalise(
        "conversions_daily",
        pl.DataFrame(
            {
                "ad_account_id": ["1", "2", "1"],
                "message_campaign_id": ["10", "20", "10"],
                "date": [day(0), day(1), day(0)],
                "action_type": ["offsite_conversion.fb_pixel_purchase"] * 3,
                "attribution_window": ["default", "default", "7d_click"],
                "conversions": [Decimal("1.5"), Decimal("2"), Decimal("1")],
                "conversion_value": [Decimal("10"), Decimal("2000"), Decimal("5")],
            }
        ),
    )
    result = metrics.conversions_by_type(frame, metrics.Period.ending(RUN, 28))
    assert dict(zip(result["attribution_window"], result["conversions"], strict=True)) == {
        "7d_click": Decimal("1"),
        "default": Decimal("3.5"),
    }


def estimates(rows: list[dict]) -> pl.DataFrame:
    base = {"ad_account_id": "1", "currency": "EUR", "estimate_delivery_lower_bound": 80, "estimate_delivery_upper_bound": 120,
            "estimate_cost_lower_bound": Decimal("8"), "estimate_cost_upper_bound": Decimal("12"),
            "actual_delivered": None, "actual_spend": None}
    return normalise("delivery_estimates", pl.DataFrame([{**base, **r} for r in rows], infer_schema_length=None))


def test_latest_estimates_show_the_forecast_and_the_last_known_day():
    frame = estimates(
        [
            {"date": day(2), "actual_delivered": 50, "actual_spend": Decimal("9")},
            {"date": day(1), "actual_delivered": 100, "actual_spend": Decimal("13")},
            {"date": day(-1)},  # taken the day after the run date: not judged yet
            {"date": day(0), "ad_account_id": "2", "actual_delivered": 90, "actual_spend": Decimal("10")},
        ]
    )
    latest = metrics.latest_estimates(frame)
    rows = [(r["ad_account_id"], r["date"], r["delivered_within"], r["spend_within"]) for r in latest.iter_rows(named=True)]
    assert rows == [
        ("1", day(1), True, False),  # 100 within 80-120; 13 above 8-12
        ("1", day(-1), None, None),
        ("2", day(0), True, True),
    ]


def test_period_bounds_and_label():
    period = metrics.Period.ending(RUN, 28)
    assert (period.start, period.end) == (dt.date(2026, 10, 29), RUN)
    assert period.label() == "2026-10-29 – 2026-11-25"


def test_headlines_list_every_metric_with_its_label_accounts_and_change():
    frame = campaign_daily(
        [
            {"date": day(0), "spend": "30", "delivered": 300, "link_clicks": 30, "purchases": "3", "purchase_value": "90"},
            {"date": day(8), "ad_account_id": "3", "spend": "20", "delivered": 100, "link_clicks": 40, "purchases": "4",
             "purchase_value": "20"},
            {"date": day(14), "ad_account_id": "9", "spend": "1"},  # outside both weeks: not one of the accounts
        ]
    )
    rows = metrics.headlines(frame, RUN)
    assert [(h.currency, h.metric, h.label) for h in rows] == [
        ("EUR", "spend", "Spend"), ("EUR", "delivered", "Delivered"), ("EUR", "link_clicks", "Link clicks"),
        ("EUR", "purchases", "Purchases"), ("EUR", "purchase_value", "Purchase value"), ("EUR", "roas", "ROAS"),
    ]
    assert {h.accounts for h in rows} == {("1", "3")}
    figures = {h.metric: (h.current, h.previous, h.change) for h in rows}
    assert figures["spend"] == (Decimal("30"), Decimal("20"), pytest.approx(0.5))  # (30 - 20) / 20
    assert figures["delivered"] == (300, 100, pytest.approx(2.0))
    assert figures["link_clicks"] == (30, 40, pytest.approx(-0.25))
    assert figures["purchases"] == (Decimal("3"), Decimal("4"), pytest.approx(-0.25))
    assert figures["purchase_value"] == (Decimal("90"), Decimal("20"), pytest.approx(3.5))
    assert figures["roas"] == (pytest.approx(3.0), pytest.approx(1.0), pytest.approx(2.0))  # 90/30 against 20/20


def test_headline_change_against_a_zero_week_is_none():
    frame = campaign_daily([{"date": day(0), "spend": "5", "delivered": 10}, {"date": day(7), "spend": "0", "delivered": 0}])
    spend = headline(metrics.headlines(frame, RUN), "EUR", "spend")
    assert (spend.current, spend.previous, spend.change) == (Decimal("5"), Decimal("0"), None)


def test_headlines_of_a_currency_seen_only_in_the_previous_week():
    rows = metrics.headlines(campaign_daily([{"date": day(10), "spend": "4", "currency": "USD"}]), RUN)
    spend = headline(rows, "USD", "spend")
    assert (spend.current, spend.previous, spend.change, spend.accounts) == (None, Decimal("4"), None, ("1",))


def test_headlines_order_currencies_alphabetically():
    frame = campaign_daily([{"date": day(0), "currency": c, "spend": "1"} for c in ("USD", "EUR", "JPY")])
    assert list(dict.fromkeys(h.currency for h in metrics.headlines(frame, RUN))) == ["EUR", "JPY", "USD"]


def test_daily_trends_add_campaigns_per_currency_and_day():
    frame = campaign_daily(
        [
            {"date": day(1), "spend": "2", "purchase_value": "6", "delivered": 20, "link_clicks": 2},
            {"date": day(1), "message_campaign_id": "11", "spend": "3", "purchase_value": "1", "delivered": 30,
             "link_clicks": 5},
            {"date": day(0), "spend": "1", "purchase_value": "0", "delivered": 10, "link_clicks": 1},
            {"date": day(1), "currency": "JPY", "ad_account_id": "2", "spend": "100", "purchase_value": "50", "delivered": 7},
        ]
    )
    trends = metrics.daily_trends(frame)
    assert trends.select("currency", "date", "spend", "purchase_value", "delivered", "link_clicks").rows() == [
        ("EUR", day(1), Decimal("5"), Decimal("7"), 50, 7),
        ("EUR", day(0), Decimal("1"), Decimal("0"), 10, 1),
        ("JPY", day(1), Decimal("100"), Decimal("50"), 7, 0),
    ]


def test_campaign_summary_orders_by_currency_then_spend_then_id_and_sums_every_count():
    frame = campaign_daily(
        [
            {"date": day(0), "message_campaign_id": "12", "spend": "6", "delivered": 10, "link_clicks": 3,
             "purchases": "1", "purchase_value": "10"},
            {"date": day(27), "message_campaign_id": "12", "spend": "5", "delivered": 5, "link_clicks": 1,
             "purchases": "2", "purchase_value": "5"},  # first day of the period
            {"date": day(28), "message_campaign_id": "12", "spend": "50"},  # the day before it
            {"date": day(0), "message_campaign_id": "11", "spend": "10"},
            {"date": day(0), "message_campaign_id": "13", "spend": "10"},
            {"date": day(0), "message_campaign_id": "14", "currency": "AUD", "ad_account_id": "2", "spend": "1"},
        ]
    )
    summary = metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28))
    assert summary["message_campaign_id"].to_list() == ["14", "12", "11", "13"]  # AUD; then 11 > 10 = 10
    row = summary.filter(pl.col("message_campaign_id") == "12").row(0, named=True)
    assert (row["spend"], row["delivered"], row["link_clicks"], row["purchases"], row["purchase_value"]) == (
        Decimal("11"), 15, 4, Decimal("3"), Decimal("15"))
    assert row["roas"] == pytest.approx(15 / 11)
    assert row["api_roas"] is None  # Meta never reported it


def test_campaign_summary_meta_roas_is_none_without_spend_even_when_reported():
    frame = campaign_daily([{"date": day(0), "spend": "0", "purchase_value": "3", "api_roas": 2.0}])
    row = metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28)).row(0, named=True)
    assert (row["roas"], row["api_roas"]) == (None, None)


def test_funnel_period_bounds_and_rejected_losses():
    frame = funnel(
        [
            {"date": day(27), "attempted": 10, "rejected": 2, "sent": 8, "delivered": 6, "failed": 1},
            {"date": day(3), "attempted": None, "rejected": None, "failed": None},  # webhooks only: no counts
            {"date": day(28), "attempted": 500, "rejected": 500},  # the day before the period
        ]
    )
    period = metrics.Period.ending(RUN, 28)
    result = metrics.funnel_stages(frame, period)
    assert result.select("stage", "label", "count").rows() == [
        ("attempted", "Attempted", 10), ("sent", "Sent", 8), ("delivered", "Delivered", 6), ("read", "Read", 0),
        ("clicked", "Clicked", 0),
    ]
    assert result["rate"].to_list() == [None, pytest.approx(0.8), pytest.approx(0.75), pytest.approx(0.0), None]
    assert metrics.funnel_losses(frame, period) == {"rejected": 2, "failed": 1}


def test_errors_by_category_rows_are_per_date_and_category_in_order():
    categories = ["unknown", "transient", "setup", "recipient_unavailable", "rate_limit", "pacing_or_budget", "auth"]
    frame = errors(
        [
            {"date": day(0), "error_code": "613", "category": "rate_limit", "occurrences": 3},
            {"date": day(1), "error_code": "613", "category": "rate_limit", "message_campaign_id": "11", "occurrences": 1},
            {"date": day(1), "error_code": "2300069", "category": "frequency_cap", "occurrences": 2},
        ]
        + [{"date": day(1), "error_code": str(n), "category": c, "occurrences": 4} for n, c in enumerate(categories)]
    )
    assert metrics.errors_by_category(frame).rows() == [
        (day(1), "auth", 4), (day(1), "frequency_cap", 2), (day(1), "pacing_or_budget", 4),
        (day(1), "rate_limit", 5), (day(1), "recipient_unavailable", 4), (day(1), "setup", 4),
        (day(1), "transient", 4), (day(1), "unknown", 4), (day(0), "rate_limit", 3),
    ]


def test_top_error_codes_default_to_ten_and_keep_names_flags_and_period():
    frame = errors(
        [{"date": day(0), "error_code": f"23000{n:02d}", "occurrences": 20 - n} for n in range(11)]
        + [
            {"date": day(1), "error_code": "2300000", "error_name": "CAP", "retryable": True, "advice": "later",
             "category": "frequency_cap", "occurrences": 0},
            {"date": day(27), "error_code": "2300010", "occurrences": 1},  # first day of the period
            {"date": day(28), "error_code": "2300010", "occurrences": 100},  # the day before it
        ]
    )
    top = metrics.top_error_codes(frame, metrics.Period.ending(RUN, 28))
    assert top["error_code"].to_list() == [f"23000{n:02d}" for n in range(10)]
    first = top.row(0, named=True)
    assert (first["error_name"], first["retryable"], first["advice"], first["occurrences"]) == ("CAP", True, "later", 20)
    total = sum(20 - n for n in range(11)) + 1  # 166
    assert first["share"] == pytest.approx(20 / total)
    assert top.row(9, named=True)["occurrences"] == 11


def test_top_error_codes_of_an_empty_period_have_no_share():
    top = metrics.top_error_codes(errors([{"date": day(40), "error_code": "1", "occurrences": 3}]), metrics.Period.ending(RUN, 28))
    assert top.is_empty() and "share" in top.columns


def test_conversions_by_type_order_window_then_most_conversions_then_type():
    frame = normalise(
        "conversions_daily",
        pl.DataFrame(
            {
                "ad_account_id": ["1"] * 5,
                "message_campaign_id": ["10"] * 5,
                "date": [day(0), day(0), day(0), day(27), day(28)],
                "action_type": ["b", "a", "c", "c", "a"],
                "attribution_window": ["default", "default", "default", "7d_click", "7d_click"],
                "conversions": [Decimal("2"), Decimal("2"), Decimal("5"), Decimal("1"), Decimal("9")],
                "conversion_value": [Decimal("0")] * 5,
            }
        ),
    )
    result = metrics.conversions_by_type(frame, metrics.Period.ending(RUN, 28))
    assert result.rows() == [
        ("c", "7d_click", Decimal("1")),
        ("c", "default", Decimal("5")), ("a", "default", Decimal("2")), ("b", "default", Decimal("2")),
    ]


def test_estimates_vs_actual_sorts_by_account_then_date():
    frame = estimates([{"date": day(0), "ad_account_id": "2"}, {"date": day(0)}, {"date": day(3)}])
    result = metrics.estimates_vs_actual(frame)
    assert result.select("ad_account_id", "date").rows() == [("1", day(3)), ("1", day(0)), ("2", day(0))]


def test_latest_estimates_say_which_row_is_the_forecast_and_which_is_judged():
    frame = estimates(
        [  # in no particular order, as a query may return them
            {"date": day(-1)},
            {"date": day(1), "actual_delivered": 80, "actual_spend": Decimal("12")},  # both bounds are inside
            {"date": day(0), "ad_account_id": "2", "actual_delivered": 79, "actual_spend": Decimal("7.99")},
            {"date": day(3), "actual_delivered": 100, "actual_spend": Decimal("10")},
        ]
    )
    latest = metrics.latest_estimates(frame)
    assert latest.select("ad_account_id", "date", "kind", "delivered_within", "spend_within").rows() == [
        ("1", day(1), "last judged", True, True),
        ("1", day(-1), "newest", None, None),
        ("2", day(0), "last judged", False, False),
    ]


def test_a_single_attempt_is_enough_to_show_the_attempted_stage():
    result = metrics.funnel_stages(funnel([{"date": day(0), "attempted": 1, "sent": 1}]), metrics.Period.ending(RUN, 28))
    assert result.select("stage", "count").rows()[:2] == [("attempted", 1), ("sent", 1)]


def test_a_row_without_currency_is_shown_last_under_a_question_mark():
    frame = campaign_daily([{"date": day(0), "currency": None, "spend": "1"}, {"date": day(0), "currency": "USD", "spend": "2"},
                            {"date": day(0), "currency": "EUR", "spend": "3"}])
    rows = metrics.headlines(frame, RUN)
    assert list(dict.fromkeys(h.currency for h in rows)) == ["EUR", "USD", "?"]
    assert headline(rows, "?", "spend").current == Decimal("1")
    summary = metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28))
    assert summary["currency"].to_list() == ["EUR", "USD", None]


def test_campaign_summary_columns_and_a_spend_below_one():
    frame = campaign_daily([{"date": day(0), "spend": "0.50", "purchase_value": "2", "api_roas": 3.0}])
    summary = metrics.campaign_summary(frame, metrics.Period.ending(RUN, 28))
    assert summary.columns == ["ad_account_id", "message_campaign_id", "currency", "campaign_name", "spend", "delivered",
                               "link_clicks", "purchases", "purchase_value", "roas", "api_roas"]
    assert summary.select("roas", "api_roas").row(0) == (pytest.approx(4.0), pytest.approx(3.0))


def test_funnel_stages_types_hold_when_every_rate_is_missing():
    result = metrics.funnel_stages(funnel([{"date": day(0)}]), metrics.Period.ending(RUN, 28))
    assert result.schema == {"stage": pl.String, "label": pl.String, "count": pl.Int64, "rate": pl.Float64}


def test_top_error_codes_count_a_missing_code_as_unknown():
    frame = errors([{"date": day(0), "error_code": None, "occurrences": 2}, {"date": day(0), "error_code": "unknown",
                    "occurrences": 3}, {"date": day(0), "error_code": "613", "occurrences": 4}])
    top = metrics.top_error_codes(frame, metrics.Period.ending(RUN, 28))
    assert top.select("error_code", "occurrences").rows() == [("unknown", 5), ("613", 4)]


def test_top_error_codes_share_is_none_when_nothing_occurred():
    top = metrics.top_error_codes(errors([{"date": day(0), "error_code": "613", "occurrences": 0}]), metrics.Period.ending(RUN, 28))
    assert top.select("error_code", "occurrences", "share").rows() == [("613", 0, None)]
    assert top.schema["share"] == pl.Float64
    empty = metrics.top_error_codes(errors([{"date": day(40), "error_code": "1", "occurrences": 3}]), metrics.Period.ending(RUN, 28))
    assert empty.schema["share"] == pl.Float64


def test_latest_estimates_columns():
    assert metrics.latest_estimates(estimates([{"date": day(0)}])).columns == [
        "ad_account_id", "date", "currency", "estimate_delivery_lower_bound", "estimate_delivery_upper_bound",
        "estimate_cost_lower_bound", "estimate_cost_upper_bound", "actual_delivered", "actual_spend", "kind",
        "delivered_within", "spend_within",
    ]
