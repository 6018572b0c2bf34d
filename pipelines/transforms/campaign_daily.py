"""`marts.campaign_daily` and `marts.conversions_daily` from the Graph insights.

Grain: message_campaign_id × date, the date in the ad account's time zone (as Meta reports it).
Sources: `raw.campaign_insights_daily` (spend, delivered, clicks, rates, Meta's ROAS),
`raw.campaign_actions_daily` (pixel conversions per attribution window), `raw.message_campaigns`
(name, Page) and `raw.ad_accounts` (currency when an insights row lacks it).

Caveats:
- Only `offsite_conversion.fb_pixel_*` action types count as conversions, so a purchase is never
  counted twice under another action type (`purchase`, `omni_purchase`, ...).
- Purchases and purchase value use the `default` attribution window (Meta's `value`, the ad set's
  attribution setting), the same basis as Meta's `website_purchase_roas` (`api_roas`).
- Meta restates conversions for up to 28 days: a new pull replaces the window it covers in the raw
  tables (`pipelines/graph/store.py`), so the frames here hold one row per key, the newest.
- `roas` = purchase_value / spend, NULL when spend is 0. Aggregate with `aggregate_campaigns`
  (ratio of sums), never by averaging daily ratios.
- `reads` is derived: delivered × read_rate / 100, rounded to a whole message, so reads can be
  summed and read rates recomputed over any range.
"""

from __future__ import annotations

import polars as pl

from pipelines.transforms.frames import Schema

PIXEL_PREFIX = "offsite_conversion.fb_pixel_"
PURCHASE = "offsite_conversion.fb_pixel_purchase"
DEFAULT_WINDOW = "default"

MONEY = pl.Decimal(18, 4)
RATIO = pl.Decimal(18, 6)
# Division keeps the dividend's scale in polars: widen it so the 6-decimal ratio is exact.
_WIDE = pl.Decimal(38, 12)

CAMPAIGN_DAILY_SCHEMA: Schema = {
    "ad_account_id": pl.String,
    "message_campaign_id": pl.String,
    "campaign_name": pl.String,
    "page_id": pl.String,
    "date": pl.Date,
    "currency": pl.String,
    "spend": MONEY,
    "delivered": pl.Int64,
    "reads": pl.Int64,
    "link_clicks": pl.Int64,
    "read_rate": RATIO,
    "delivery_rate": RATIO,
    "purchases": MONEY,
    "purchase_value": MONEY,
    "roas": RATIO,
    "api_roas": RATIO,
}

CONVERSIONS_DAILY_SCHEMA: Schema = {
    "ad_account_id": pl.String,
    "message_campaign_id": pl.String,
    "date": pl.Date,
    "action_type": pl.String,
    "attribution_window": pl.String,
    "conversions": MONEY,
    "conversion_value": MONEY,
}


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator as DECIMAL(18,6), NULL when the denominator is 0 or NULL."""
    return (
        pl.when(denominator.fill_null(0) != 0)
        .then((numerator.cast(_WIDE) / denominator.cast(_WIDE)).round(6))
        .otherwise(None)
        .cast(RATIO)
    )


def conversions_daily(actions: pl.DataFrame) -> pl.DataFrame:
    """`marts.conversions_daily`: pixel conversions per campaign, day, action type and window."""
    pixel = actions.filter(pl.col("action_type").str.starts_with(PIXEL_PREFIX))
    return pixel.select([pl.col(name).cast(dtype) for name, dtype in CONVERSIONS_DAILY_SCHEMA.items()])


def campaign_daily(insights: pl.DataFrame, conversions: pl.DataFrame, campaigns: pl.DataFrame,
                   accounts: pl.DataFrame) -> pl.DataFrame:
    """`marts.campaign_daily`: one row per campaign and account-local day with insights.
    `conversions` is `conversions_daily(actions)`, whose purchases give purchase_value and ROAS."""
    keys = ["message_campaign_id", "date"]
    purchases = (
        conversions
        .filter((pl.col("action_type") == PURCHASE) & (pl.col("attribution_window") == DEFAULT_WINDOW))
        .select(keys + [pl.col("conversions").alias("purchases"), pl.col("conversion_value").alias("purchase_value")])
    )
    names = campaigns.select("message_campaign_id", "campaign_name", "page_id").unique("message_campaign_id", keep="last")
    currencies = accounts.select("ad_account_id", pl.col("currency").alias("account_currency")).unique("ad_account_id")
    frame = (
        insights
        .join(purchases, on=keys, how="left")
        .join(names, on="message_campaign_id", how="left")
        .join(currencies, on="ad_account_id", how="left")
        .with_columns(
            pl.coalesce("currency", "account_currency").alias("currency"),
            # Meta omits action types with no events: no row means zero, not unknown.
            pl.col("purchases").fill_null(0).cast(MONEY),
            pl.col("purchase_value").fill_null(0).cast(MONEY),
            (pl.col("delivered").cast(_WIDE) * pl.col("read_rate").cast(_WIDE) / 100).round(0).cast(pl.Int64).alias("reads"),
            pl.col("website_purchase_roas").cast(RATIO).alias("api_roas"),
        )
        .with_columns(ratio(pl.col("purchase_value"), pl.col("spend")).alias("roas"))
    )
    return frame.select([pl.col(name).cast(dtype) for name, dtype in CAMPAIGN_DAILY_SCHEMA.items()])


def aggregate_campaigns(daily: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Campaign performance over any grouping, ratios recomputed from sums (ratio of sums).

    Never mixes currencies: `currency` is always part of the grouping.
    """
    group = list(dict.fromkeys([*by, "currency"]))
    sums = daily.group_by(group).agg(
        pl.col("spend").sum().cast(MONEY),
        pl.col("delivered").sum(),
        pl.col("reads").sum(),
        pl.col("link_clicks").sum(),
        pl.col("purchases").sum().cast(MONEY),
        pl.col("purchase_value").sum().cast(MONEY),
    )
    return sums.with_columns(
        ratio(pl.col("purchase_value"), pl.col("spend")).alias("roas"),
        ratio(pl.col("reads") * 100, pl.col("delivered")).alias("read_rate"),
        ratio(pl.col("link_clicks") * 100, pl.col("delivered")).alias("link_click_rate"),
    ).sort(group)
