"""Estimates beside actuals: an estimate is judged against its own day's insights, and a day
without insights yet shows NULL actuals rather than zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from pipelines.transforms.campaign_daily import campaign_daily, conversions_daily
from pipelines.transforms.estimates import delivery_estimates
from tests.transforms.builders import accounts, actions, campaigns, insight, insights

ESTIMATE_SCHEMA = {"ad_account_id": pl.String, "snapshot_date": pl.Date, "page_id": pl.String,
                   "daily_budget": pl.Decimal(18, 4), "estimate_delivery_lower_bound": pl.Int64,
                   "estimate_delivery_upper_bound": pl.Int64, "estimate_cost_lower_bound": pl.Decimal(18, 4),
                   "estimate_cost_upper_bound": pl.Decimal(18, 4)}


def estimate(day: int, low: int, high: int, cost_low: str, cost_high: str) -> dict:
    return {"ad_account_id": "1", "snapshot_date": dt.date(2026, 5, day), "page_id": "p1", "daily_budget": Decimal(50),
            "estimate_delivery_lower_bound": low, "estimate_delivery_upper_bound": high,
            "estimate_cost_lower_bound": Decimal(cost_low), "estimate_cost_upper_bound": Decimal(cost_high)}


def test_estimates_sit_beside_the_days_actuals() -> None:
    daily = campaign_daily(
        insights(insight("c1", 1, "30", 900), insight("c2", 1, "15", 400), insight("c1", 2, "80", 5000)),
        conversions_daily(actions()), campaigns(("c1", "p1"), ("c2", "p1")), accounts(("1", "USD")))
    snapshots = pl.DataFrame([estimate(1, 1000, 1500, "40", "60"), estimate(2, 1000, 1500, "40", "60"),
                              estimate(3, 1000, 1500, "40", "60")], schema=ESTIMATE_SCHEMA)
    mart = delivery_estimates(snapshots, daily, accounts(("1", "USD")))
    rows = mart.select("snapshot_date", "actual_days", "actual_delivered", "actual_spend", "delivered_within_estimate",
                       "spend_within_estimate").rows()
    assert rows == [
        (dt.date(2026, 5, 1), 1, 1300, Decimal(45), True, True),
        (dt.date(2026, 5, 2), 1, 5000, Decimal(80), False, False),
        (dt.date(2026, 5, 3), 0, None, None, None, None),
    ]
    assert mart["currency"].to_list() == ["USD"] * 3


def test_a_snapshot_taken_again_the_same_day_replaces_the_first_and_an_unknown_account_is_kept() -> None:
    daily = campaign_daily(insights(insight("c1", 1, "30", 900)), conversions_daily(actions()),
                           campaigns(("c1", "p1")), accounts(("1", "USD")))
    again = estimate(1, 800, 1000, "20", "30")
    stranger = {**estimate(1, 1, 2, "1", "2"), "ad_account_id": "9"}  # not (yet) in raw.ad_accounts
    snapshots = pl.DataFrame([estimate(1, 1000, 1500, "40", "60"), again, stranger], schema=ESTIMATE_SCHEMA)
    mart = delivery_estimates(snapshots, daily, accounts(("1", "USD")))
    assert mart.select("ad_account_id", "currency", "estimate_delivery_lower_bound", "actual_delivered",
                       "delivered_within_estimate").rows() == [
        ("1", "USD", 800, 900, True),
        ("9", None, 1, None, None),
    ]
