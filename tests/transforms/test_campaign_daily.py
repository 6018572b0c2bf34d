"""campaign_daily / conversions_daily: the cases where ROAS goes wrong in practice — zero spend,
non-pixel action types, and averaging ratios instead of summing."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from pipelines.transforms.campaign_daily import aggregate_campaigns, campaign_daily, conversions_daily
from tests.transforms.builders import accounts, action, actions, campaigns, insight, insights

PURCHASE = "offsite_conversion.fb_pixel_purchase"
CAMPAIGNS = campaigns(("c1", "p1"), ("c2", "p1"))
ACCOUNTS = accounts(("1", "USD"), ("2", "JPY"))


def build(ins: pl.DataFrame, acts: pl.DataFrame) -> pl.DataFrame:
    return campaign_daily(ins, conversions_daily(acts), CAMPAIGNS, ACCOUNTS)


def test_roas_is_purchase_value_over_spend_beside_metas() -> None:
    frame = build(insights(insight("c1", 1, "40.00", 1000, api_roas="6.25")),
                  actions(action("c1", 1, PURCHASE, "default", "3", "250.00"),
                          action("c1", 1, PURCHASE, "7d_click", "2", "200.00")))
    row = frame.row(0, named=True)
    assert (row["purchases"], row["purchase_value"]) == (Decimal("3"), Decimal("250.00"))
    assert row["roas"] == Decimal("6.25") and row["api_roas"] == Decimal("6.25")
    assert row["campaign_name"] == "name c1" and row["page_id"] == "p1"


def test_zero_spend_gives_null_roas_not_a_division_error() -> None:
    frame = build(insights(insight("c1", 1, "0", 0)), actions(action("c1", 1, PURCHASE, "default", "1", "9.99")))
    assert frame["roas"].to_list() == [None]
    assert frame["purchase_value"].to_list() == [Decimal("9.99")]


def test_no_conversions_means_zero_purchases_and_zero_roas() -> None:
    frame = build(insights(insight("c1", 1, "10", 100)), actions())
    row = frame.row(0, named=True)
    assert (row["purchases"], row["purchase_value"], row["roas"]) == (0, 0, Decimal(0))


def test_only_pixel_action_types_are_conversions() -> None:
    acts = actions(action("c1", 1, PURCHASE, "default", "1", "10"), action("c1", 1, "purchase", "default", "1", "10"),
                   action("c1", 1, "omni_purchase", "default", "1", "10"),
                   action("c1", 1, "offsite_conversion.fb_pixel_add_to_cart", "1d_view", "4", None))
    conversions = conversions_daily(acts).sort("action_type")
    assert conversions["action_type"].to_list() == [
        "offsite_conversion.fb_pixel_add_to_cart", PURCHASE]
    assert conversions["conversion_value"].to_list() == [None, Decimal(10)]
    assert build(insights(insight("c1", 1, "5", 10)), acts)["purchases"].to_list() == [Decimal(1)]


def test_reads_are_derived_from_delivered_and_read_rate() -> None:
    frame = build(insights(insight("c1", 1, "1", 2755, read_rate="79.419238")), actions())
    assert frame["reads"].to_list() == [2188]


def test_currency_falls_back_to_the_account() -> None:
    row = insight("c2", 1, "500", 10, account="2", currency="JPY")
    row["currency"] = None
    assert build(insights(row), actions())["currency"].to_list() == ["JPY"]


def test_ratio_of_sums_aggregation_is_not_the_mean_of_daily_ratios() -> None:
    frame = build(
        insights(insight("c1", 1, "100", 1000, read_rate="10"), insight("c1", 2, "1", 10, read_rate="100")),
        actions(action("c1", 1, PURCHASE, "default", "1", "100"), action("c1", 2, PURCHASE, "default", "1", "10")),
    ).sort("date")
    assert frame["roas"].to_list() == [Decimal(1), Decimal(10)]  # mean would say 5.5
    total = aggregate_campaigns(frame, ["message_campaign_id"]).row(0, named=True)
    assert total["roas"] == Decimal("1.089109")  # 110 / 101
    assert total["read_rate"] == Decimal("10.891089")  # (100 + 10) reads / 1010 delivered
    assert total["spend"] == Decimal("101")


@pytest.mark.parametrize(("by", "groups"), [(["ad_account_id"], 2), ([], 2), (["message_campaign_id", "date"], 2)])
def test_aggregation_never_sums_across_currencies(by: list[str], groups: int) -> None:
    frame = build(insights(insight("c1", 1, "10", 10), insight("c2", 1, "1000", 10, account="2", currency="JPY")),
                  actions())
    assert aggregate_campaigns(frame, by).height == groups


def test_aggregation_sums_every_measure_and_recomputes_every_rate_in_group_order() -> None:
    frame = build(
        insights(insight("c2", 1, "20", 400, read_rate="50", clicks=40), insight("c2", 2, "30", 100, read_rate="20", clicks=6),
                 insight("c1", 1, "5", 50, read_rate="10", clicks=1)),
        actions(action("c2", 1, PURCHASE, "default", "2", "60"), action("c2", 2, PURCHASE, "default", "1", "15")),
    )
    totals = aggregate_campaigns(frame, ["message_campaign_id"])
    columns = ["message_campaign_id", "currency", "spend", "delivered", "reads", "link_clicks", "purchases",
               "purchase_value", "roas", "read_rate", "link_click_rate"]
    assert totals.select(columns).rows() == [
        # c1: 5 reads of 50 delivered; 1 click; nothing bought
        ("c1", "USD", Decimal("5"), 50, 5, 1, Decimal("0"), Decimal("0"), Decimal("0"), Decimal("10"), Decimal("2")),
        # c2: 200 + 20 reads of 500 delivered, 46 clicks, 75 bought for 50 spent
        ("c2", "USD", Decimal("50"), 500, 220, 46, Decimal("3"), Decimal("75"), Decimal("1.5"), Decimal("44"),
         Decimal("9.2")),
    ]


def test_only_default_window_pixel_purchases_make_purchases() -> None:
    frame = build(insights(insight("c1", 1, "40.00", 1000)),
                  actions(action("c1", 1, PURCHASE, "default", "3", "250.00"),
                          action("c1", 1, PURCHASE, "7d_click", "2", "200.00"),
                          action("c1", 1, "offsite_conversion.fb_pixel_add_to_cart", "default", "9", "90.00")))
    assert frame.select("purchases", "purchase_value", "roas").rows() == [(Decimal("3"), Decimal("250"), Decimal("6.25"))]


@pytest.mark.parametrize(("delivered", "read_rate", "reads"), [(7, "10", 1), (3, "50", 2), (10, "4", 0)])
def test_reads_round_to_the_nearest_whole_message(delivered: int, read_rate: str, reads: int) -> None:
    """0.7 and 1.5 reads round up, 0.4 down: a whole number of messages, not a truncation."""
    assert build(insights(insight("c1", 1, "1", delivered, read_rate=read_rate)), actions())["reads"].to_list() == [reads]


def test_roas_is_rounded_once_to_six_decimals() -> None:
    """10000.0149 / 10000 = 1.00000149: 1.000001, where rounding to seven places first would give 1.000002."""
    frame = build(insights(insight("c1", 1, "10000", 10)), actions(action("c1", 1, PURCHASE, "default", "1", "10000.0149")))
    assert frame["roas"].to_list() == [Decimal("1.000001")]


def test_insights_of_a_campaign_or_account_not_yet_read_are_kept() -> None:
    frame = build(insights(insight("c9", 1, "5", 10, account="7", currency="EUR")), actions())
    assert frame.select("message_campaign_id", "campaign_name", "page_id", "ad_account_id", "currency").rows() == [
        ("c9", None, None, "7", "EUR")]
