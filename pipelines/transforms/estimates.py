"""`marts.delivery_estimates`: each estimate snapshot beside what the account then delivered.

Grain: ad_account_id × snapshot_date (account-local). Sources: `raw.delivery_estimates` (the
`/message_delivery_estimate` bounds, cost in currency units) and `marts.campaign_daily` (insights).

Horizon: one day, the snapshot's own account-local date — an estimate is taken for a daily budget
and answers "how many messages will a day deliver, at what cost". `actual_delivered` and
`actual_spend` sum the account's insights over that day; `actual_days` is 0 until the day has
insights, so an estimate that cannot be judged yet is visible (actuals NULL), never guessed.
"""

from __future__ import annotations

import polars as pl

from pipelines.transforms.campaign_daily import MONEY
from pipelines.transforms.frames import Schema

ESTIMATES_SCHEMA: Schema = {
    "ad_account_id": pl.String,
    "snapshot_date": pl.Date,
    "page_id": pl.String,
    "currency": pl.String,
    "daily_budget": MONEY,
    "estimate_delivery_lower_bound": pl.Int64,
    "estimate_delivery_upper_bound": pl.Int64,
    "estimate_cost_lower_bound": MONEY,
    "estimate_cost_upper_bound": MONEY,
    "actual_days": pl.Int64,
    "actual_delivered": pl.Int64,
    "actual_spend": MONEY,
    "delivered_within_estimate": pl.Boolean,
    "spend_within_estimate": pl.Boolean,
}


def delivery_estimates(estimates: pl.DataFrame, campaign_daily: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """`marts.delivery_estimates` from estimate snapshots and the campaign-day mart."""
    actuals = campaign_daily.group_by("ad_account_id", pl.col("date").alias("snapshot_date")).agg(
        pl.len().cast(pl.Int64).alias("campaign_days"),
        pl.col("delivered").sum().alias("actual_delivered"),
        pl.col("spend").sum().cast(MONEY).alias("actual_spend"),
    )
    currencies = accounts.select("ad_account_id", "currency").unique("ad_account_id")
    frame = (
        estimates.unique(["ad_account_id", "snapshot_date"], keep="last", maintain_order=True)
        .join(actuals, on=["ad_account_id", "snapshot_date"], how="left")
        .join(currencies, on="ad_account_id", how="left")
        .with_columns(
            pl.when(pl.col("campaign_days").is_not_null()).then(1).otherwise(0).cast(pl.Int64).alias("actual_days"),
        )
        .with_columns(
            pl.col("actual_delivered").is_between("estimate_delivery_lower_bound", "estimate_delivery_upper_bound")
            .alias("delivered_within_estimate"),
            pl.col("actual_spend").cast(MONEY)
            .is_between(pl.col("estimate_cost_lower_bound").cast(MONEY), pl.col("estimate_cost_upper_bound").cast(MONEY))
            .alias("spend_within_estimate"),
        )
    )
    return frame.select([pl.col(name).cast(dtype) for name, dtype in ESTIMATES_SCHEMA.items()]).sort(
        ["ad_account_id", "snapshot_date"]
    )
