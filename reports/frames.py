"""The report's inputs: the six marts as polars frames, read for a trailing window.

Grain and columns follow the warehouse contract (`marts.*`, see the design page). The report only
needs a subset of each mart's columns; `REQUIRED` lists them and `normalise` checks them, so a
mart that lost a column fails with one clear line instead of a half-drawn page. Optional columns
(for example `advice` in the error codes, or the names the estimates mart gives its actuals) are
filled with nulls when absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import polars as pl

from pipelines.errors import MmlensError
from pipelines.warehouse import sql_text

# Trailing days the report reads: a year of daily trends ending on the run date.
WINDOW_DAYS = 365
ESTIMATE_LEAD_DAYS = 2

MONEY = pl.Decimal(18, 4)
# Meta reports conversions with decimals (modelled conversions): kept exact, not rounded to ints.
QUANTITY = pl.Decimal(18, 4)

REQUIRED: dict[str, dict[str, pl.DataType]] = {
    "campaign_daily": {
        "ad_account_id": pl.String(),
        "message_campaign_id": pl.String(),
        "campaign_name": pl.String(),
        "date": pl.Date(),
        "currency": pl.String(),
        "spend": MONEY,
        "delivered": pl.Int64(),
        "link_clicks": pl.Int64(),
        "purchases": QUANTITY,
        "purchase_value": MONEY,
        "api_roas": pl.Float64(),
    },
    "conversions_daily": {
        "ad_account_id": pl.String(),
        "message_campaign_id": pl.String(),
        "date": pl.Date(),
        "action_type": pl.String(),
        "attribution_window": pl.String(),
        "conversions": QUANTITY,
        "conversion_value": MONEY,
    },
    "delivery_funnel_daily": {
        "page_id": pl.String(),
        "message_campaign_id": pl.String(),
        "date": pl.Date(),
        "attempted": pl.Int64(),
        "accepted": pl.Int64(),
        "rejected": pl.Int64(),
        "sent": pl.Int64(),
        "delivered": pl.Int64(),
        "read": pl.Int64(),
        "clicked": pl.Int64(),
        "failed": pl.Int64(),
    },
    "error_codes_daily": {
        "date": pl.Date(),
        "message_campaign_id": pl.String(),
        "source": pl.String(),
        "error_code": pl.String(),
        "error_name": pl.String(),
        "category": pl.String(),
        "retryable": pl.Boolean(),
        "advice": pl.String(),
        "occurrences": pl.Int64(),
    },
    "delivery_estimates": {
        "ad_account_id": pl.String(),
        "date": pl.Date(),
        "currency": pl.String(),
        "estimate_delivery_lower_bound": pl.Int64(),
        "estimate_delivery_upper_bound": pl.Int64(),
        "estimate_cost_lower_bound": MONEY,
        "estimate_cost_upper_bound": MONEY,
        "actual_delivered": pl.Int64(),
        "actual_spend": MONEY,
    },
    "responses_daily": {
        "page_id": pl.String(),
        "message_campaign_id": pl.String(),
        "date": pl.Date(),
        "kind": pl.String(),
        "title": pl.String(),
        "payload": pl.String(),
        "responses": pl.Int64(),
    },
}

# Columns that may be missing from a mart without making the report wrong: filled with nulls.
OPTIONAL = {
    ("error_codes_daily", "advice"),
    ("error_codes_daily", "retryable"),
    ("delivery_estimates", "currency"),
    ("delivery_funnel_daily", "attempted"),
    ("delivery_funnel_daily", "accepted"),
    ("delivery_funnel_daily", "rejected"),
}

# Other names a mart may give a column the report reads (the first one present wins).
ALIASES = {
    ("delivery_estimates", "date"): ("snapshot_date", "estimate_date"),
    ("delivery_estimates", "actual_delivered"): ("delivered",),
    ("delivery_estimates", "actual_spend"): ("spend",),
}

QUERIES = {
    "campaign_daily": "queries/report_performance.sql",
    "conversions_daily": "queries/report_conversions.sql",
    "delivery_funnel_daily": "queries/report_funnel.sql",
    "error_codes_daily": "queries/report_errors.sql",
    "delivery_estimates": "queries/report_forecasts.sql",
    "responses_daily": "queries/report_responses.sql",
}


class ReportInputError(MmlensError):
    """A mart lacks a column the report needs."""


@dataclasses.dataclass(frozen=True)
class ReportFrames:
    """The six marts, each normalised to the columns and types of `REQUIRED`."""

    campaign_daily: pl.DataFrame
    conversions_daily: pl.DataFrame
    delivery_funnel_daily: pl.DataFrame
    error_codes_daily: pl.DataFrame
    delivery_estimates: pl.DataFrame
    responses_daily: pl.DataFrame

    @classmethod
    def of(cls, frames: dict[str, pl.DataFrame]) -> ReportFrames:
        """Normalise raw frames by mart name; a missing mart is an empty frame."""
        return cls(**{name: normalise(name, frames.get(name)) for name in REQUIRED})

    @property
    def total_rows(self) -> int:
        return sum(getattr(self, name).height for name in REQUIRED)


def normalise(name: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The mart's frame with exactly the report's columns, cast to the report's types."""
    schema = REQUIRED[name]
    if frame is None:
        return pl.DataFrame(schema=schema)
    sources = {
        column: next((c for c in (column, *ALIASES.get((name, column), ())) if c in frame.columns), None)
        for column in schema
    }
    missing = [c for c, source in sources.items() if source is None and (name, c) not in OPTIONAL]
    if missing:
        raise ReportInputError(f"marts.{name} lacks columns the report needs: {', '.join(missing)}")
    columns = []
    for column, dtype in schema.items():
        source = sources[column]
        if source is None:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
        elif column == "error_code" or dtype == pl.String():
            # Ids and codes stay text; never let them pass through a number.
            columns.append(pl.col(source).cast(pl.String()).alias(column))
        else:
            columns.append(pl.col(source).cast(dtype).alias(column))
    return frame.select(columns)


def window_start(run_date: dt.date, days: int = WINDOW_DAYS) -> dt.date:
    return run_date - dt.timedelta(days=days - 1)


def load_frames(con: duckdb.DuckDBPyConnection, run_date: dt.date, days: int = WINDOW_DAYS) -> ReportFrames:
    """Read the marts for the `days` days ending on `run_date` (inclusive).

    Estimate snapshots are read up to `ESTIMATE_LEAD_DAYS` past the run date: the run that
    reports on a day takes its estimate the day after (in some time zones two), and that
    forecast belongs on the page."""
    frames = {}
    for name, path in QUERIES.items():
        end = run_date + dt.timedelta(days=ESTIMATE_LEAD_DAYS) if name == "delivery_estimates" else run_date
        frames[name] = con.sql(sql_text(path), params=[window_start(run_date, days), end]).pl()
    return ReportFrames.of(frames)
