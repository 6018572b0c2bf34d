"""Pure aggregations behind the report's figures and tables (polars in, polars or rows out).

Ratios are ratios of sums (ROAS = sum(purchase_value) / sum(spend), NULL when spend is 0), never
averages of daily ratios. Money stays Decimal and is grouped by currency: accounts with different
currencies are never added together. Dates are inclusive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import polars as pl

HEADLINE_DAYS = 7
# The period of the per-campaign views (ROAS, funnel, top errors, campaign table).
PERIOD_DAYS = 28

CATEGORY_ORDER = (
    "frequency_cap",
    "pacing_or_budget",
    "recipient_unavailable",
    "rate_limit",
    "creative_or_validation",
    "setup",
    "transient",
    "auth",
    "unknown",
)

HEADLINE_METRICS = (
    ("spend", "Spend"),
    ("delivered", "Delivered"),
    ("link_clicks", "Link clicks"),
    ("purchases", "Purchases"),
    ("purchase_value", "Purchase value"),
    ("roas", "ROAS"),
)
MONEY_METRICS = frozenset({"spend", "purchase_value"})


@dataclasses.dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, end: dt.date, days: int) -> Period:
        return cls(end - dt.timedelta(days=days - 1), end)

    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclasses.dataclass(frozen=True)
class Headline:
    """One headline number: the last 7 days against the 7 before, over the ad accounts of one
    currency (`accounts`, digits without act_, sorted; those with rows in either week)."""

    currency: str
    metric: str
    label: str
    current: Decimal | int | float | None
    previous: Decimal | int | float | None
    change: float | None  # relative change; None when the previous value is 0 or unknown
    accounts: tuple[str, ...] = ()


def _between(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    return frame.filter(pl.col("date").is_between(period.start, period.end))


def _roas(value: Decimal | None, spend: Decimal | None) -> float | None:
    if value is None or not spend:
        return None
    return float(Decimal(value) / Decimal(spend))


def _totals(frame: pl.DataFrame) -> dict[str, dict[str, Decimal | int | float | None]]:
    sums = (
        frame.group_by("currency")
        .agg(
            pl.col("spend").sum(),
            pl.col("delivered").sum(),
            pl.col("link_clicks").sum(),
            pl.col("purchases").sum(),
            pl.col("purchase_value").sum(),
        )
        .to_dicts()
    )
    out = {}
    for row in sums:
        row["roas"] = _roas(row["purchase_value"], row["spend"])
        out[row.pop("currency")] = row
    return out


def _change(current: object, previous: object) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return float((Decimal(str(current)) - Decimal(str(previous))) / Decimal(str(previous)))


def headlines(campaign_daily: pl.DataFrame, run_date: dt.date) -> list[Headline]:
    """Spend, delivered, clicks, purchases, purchase value and ROAS per currency."""
    current_period = Period.ending(run_date, HEADLINE_DAYS)
    previous_period = Period.ending(current_period.start - dt.timedelta(days=1), HEADLINE_DAYS)
    current = _totals(_between(campaign_daily, current_period))
    previous = _totals(_between(campaign_daily, previous_period))
    both = _between(campaign_daily, Period(previous_period.start, current_period.end))
    accounts = {
        row["currency"]: tuple(row["ad_account_id"])
        for row in both.group_by("currency").agg(pl.col("ad_account_id").unique().sort()).to_dicts()
    }
    rows = []
    for currency in sorted(set(current) | set(previous), key=lambda c: (c is None, c or "")):
        now, before = current.get(currency, {}), previous.get(currency, {})
        for metric, label in HEADLINE_METRICS:
            value, reference = now.get(metric), before.get(metric)
            rows.append(Headline(currency or "?", metric, label, value, reference, _change(value, reference),
                                 accounts.get(currency, ())))
    return rows


def daily_trends(campaign_daily: pl.DataFrame) -> pl.DataFrame:
    """One row per currency and date: spend, purchase value, delivered, link clicks, ROAS."""
    return (
        campaign_daily.group_by("currency", "date")
        .agg(
            pl.col("spend").sum(),
            pl.col("purchase_value").sum(),
            pl.col("delivered").sum(),
            pl.col("link_clicks").sum(),
        )
        .sort("currency", "date")
    )


def campaign_summary(campaign_daily: pl.DataFrame, period: Period) -> pl.DataFrame:
    """One row per campaign over `period`, the biggest spenders first within each currency.

    `api_roas` (Meta's website_purchase_roas) is spend-weighted over every day of the period, which
    is Meta's ratio of sums: Meta omits the field on days without purchases, so those days weigh in
    as 0; a campaign Meta never reported ROAS for keeps NULL. `roas` is ours from purchase value and
    spend.
    """
    frame = _between(campaign_daily, period)
    spend_f = pl.col("spend").cast(pl.Float64)
    has_api = pl.col("api_roas").is_not_null()
    summary = (
        frame.sort("date")
        .group_by("ad_account_id", "message_campaign_id", "currency")
        .agg(
            pl.col("campaign_name").drop_nulls().last(),
            pl.col("spend").sum(),
            pl.col("delivered").sum(),
            pl.col("link_clicks").sum(),
            pl.col("purchases").sum(),
            pl.col("purchase_value").sum(),
            (pl.col("api_roas") * spend_f).filter(has_api).sum().alias("_api_value"),
            has_api.any().alias("_api_reported"),
        )
        .with_columns(
            pl.when(pl.col("spend") > 0)
            .then(pl.col("purchase_value").cast(pl.Float64) / pl.col("spend").cast(pl.Float64))
            .alias("roas"),
            pl.when(pl.col("_api_reported") & (pl.col("spend") > 0))
            .then(pl.col("_api_value") / pl.col("spend").cast(pl.Float64))
            .alias("api_roas"),
        )
        .drop("_api_value", "_api_reported")
    )
    return summary.sort(["currency", "spend", "message_campaign_id"], descending=[False, True, False], nulls_last=True)


FUNNEL_STAGES = (
    ("attempted", "Attempted"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("clicked", "Clicked"),
)


def funnel_stages(funnel: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The delivery funnel over `period`: each stage's count and its rate against the stage before.

    `attempted` (from send logs) is left out when there are no send logs at all.
    """
    frame = _between(funnel, period)
    totals = {stage: int(frame[stage].fill_null(0).sum()) for stage, _ in FUNNEL_STAGES}
    stages = [(stage, label) for stage, label in FUNNEL_STAGES if stage != "attempted" or totals["attempted"] > 0]
    rows: list[dict[str, object]] = []
    previous: int | None = None
    for stage, label in stages:
        value = totals[stage]
        rate: float | None = None if previous in (None, 0) else value / previous
        rows.append({"stage": stage, "label": label, "count": value, "rate": rate})
        previous = value
    return pl.DataFrame(rows, schema={"stage": pl.String, "label": pl.String, "count": pl.Int64, "rate": pl.Float64})


def funnel_losses(funnel: pl.DataFrame, period: Period) -> dict[str, int]:
    """Rejected at the Send API and failed after sending, over `period`."""
    frame = _between(funnel, period)
    return {name: int(frame[name].fill_null(0).sum()) for name in ("rejected", "failed")}


def errors_by_category(errors: pl.DataFrame) -> pl.DataFrame:
    """One row per date and category with its occurrences (unknown categories count as 'unknown')."""
    return (
        errors.with_columns(pl.col("category").fill_null("unknown"))
        .group_by("date", "category")
        .agg(pl.col("occurrences").sum())
        .sort("date", "category")
    )


def top_error_codes(errors: pl.DataFrame, period: Period, limit: int = 10) -> pl.DataFrame:
    """The most frequent error codes over `period` with their meaning, advice and share."""
    frame = _between(errors, period).with_columns(
        pl.col("error_code").fill_null("unknown"), pl.col("category").fill_null("unknown")
    )
    total = int(frame["occurrences"].sum() or 0)
    top = (
        frame.group_by("error_code")
        .agg(
            pl.col("error_name").drop_nulls().first(),
            pl.col("category").first(),
            pl.col("retryable").drop_nulls().first(),
            pl.col("advice").drop_nulls().first(),
            pl.col("source").unique().sort().str.join(", ").alias("sources"),
            pl.col("occurrences").sum(),
        )
        .sort(["occurrences", "error_code"], descending=[True, False])
        .head(limit)
    )
    return top.with_columns((pl.col("occurrences") / total if total else pl.lit(None, pl.Float64)).alias("share"))


def conversions_by_type(conversions: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Conversions per pixel action type and attribution window over `period` (counts only:
    conversion values are in each account's currency and are not added across accounts here)."""
    return (
        _between(conversions, period)
        .group_by("action_type", "attribution_window")
        .agg(pl.col("conversions").sum())
        .sort(["attribution_window", "conversions", "action_type"], descending=[False, True, False])
    )


def estimates_vs_actual(estimates: pl.DataFrame) -> pl.DataFrame:
    """Each estimate snapshot beside what was actually delivered and spent, by account and date."""
    return estimates.sort("ad_account_id", "date")


def latest_estimates(estimates: pl.DataFrame) -> pl.DataFrame:
    """Per account, the newest estimate snapshot and the newest one whose day is already known
    (actuals present), with whether delivery and spend landed inside Meta's range."""
    ordered = estimates.sort("ad_account_id", "date")
    newest = ordered.group_by("ad_account_id", maintain_order=True).last()
    judged = (
        ordered.filter(pl.col("actual_delivered").is_not_null())
        .group_by("ad_account_id", maintain_order=True)
        .last()
        .with_columns(
            pl.col("actual_delivered")
            .is_between(pl.col("estimate_delivery_lower_bound"), pl.col("estimate_delivery_upper_bound"))
            .alias("delivered_within"),
            pl.col("actual_spend")
            .is_between(pl.col("estimate_cost_lower_bound"), pl.col("estimate_cost_upper_bound"))
            .alias("spend_within"),
        )
    )
    return pl.concat(
        [
            newest.with_columns(pl.lit("newest").alias("kind"), pl.lit(None, pl.Boolean).alias("delivered_within"),
                                pl.lit(None, pl.Boolean).alias("spend_within")),
            judged.with_columns(pl.lit("last judged").alias("kind")),
        ],
        how="diagonal",
    ).unique(["ad_account_id", "date"], keep="last", maintain_order=True).sort("ad_account_id", "date")
