"""Building the marts in DuckDB: read raw rows, call the pure transforms, replace a window.

Plain Python over a DuckDB connection (no Dagster), so the assets stay thin and the benchmark can
time exactly what the assets run. Every build deletes its window and inserts the new rows in ONE
transaction, so a re-run gives identical tables and a failure leaves the previous rows intact.

Windows:
- campaign_daily / conversions_daily: a range of account-local dates (the partition range).
- delivery_funnel_daily: incremental from rowid watermarks, see `pipelines/funnel_build.py`.
- error_codes_daily: incremental, from the UTC date of the earliest new export row (rowid
  watermarks, `pipelines/mart_io.py`). `full=True` (or an empty state) rebuilds everything.
- responses_daily: incremental by rowid watermark on raw.messenger_events and raw.webhook_events,
  from the UTC date of the earliest new tap or new echo/delivery naming a recipient (a message
  received can only capture later taps); the window's taps are attributed through every earlier
  echo and delivery of their senders, however old.
- delivery_estimates: rebuilt whole (one row per account and day).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.funnel_build import build_funnel
from pipelines.mart_io import (
    BEGINNING,
    BuildResult,
    incremental_start,
    read_query,
    replace_window,
    transaction,
    utc_start,
    write_window,
)
from pipelines.transforms.campaign_daily import campaign_daily, conversions_daily
from pipelines.transforms.error_codes import error_codes_daily
from pipelines.transforms.estimates import delivery_estimates
from pipelines.transforms.responses import RESPONSES_SCHEMA, responses_daily
from pipelines.warehouse import sql_text

MART_NAMES = ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates",
              "responses_daily")
__all__ = ["MART_NAMES", "BuildResult", "build_campaign_marts", "build_error_codes", "build_estimates", "build_funnel",
           "build_responses", "mart_row_count"]


def mart_row_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    if name not in MART_NAMES:
        raise ValueError(f"not a mart: {name}")
    ((count,),) = con.execute(sql_text("queries/mart_count_rows.sql"), [name]).fetchall()
    return int(count or 0)


def build_campaign_marts(con: duckdb.DuckDBPyConnection, since: dt.date, until: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace campaign_daily and conversions_daily for account-local dates [since, until]."""
    insights = read_query(con, "mart_read_insights", [since, until])
    actions = read_query(con, "mart_read_actions", [since, until])
    campaigns = read_query(con, "mart_read_campaigns")
    accounts = read_query(con, "mart_read_accounts")
    conversions = conversions_daily(actions)
    daily = campaign_daily(insights, conversions, campaigns, accounts)
    with transaction(con):
        write_window(con, "mart_delete_campaign_daily_window", [since, until], "mart_insert_campaign_daily", daily)
        write_window(con, "mart_delete_conversions_daily_window", [since, until], "mart_insert_conversions_daily", conversions)
    return daily, conversions


def build_error_codes(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.error_codes_daily from the earliest UTC date of new export rows."""
    reach = read_query(con, "mart_source_watermarks")
    since, is_full, _ = incremental_start(con, "error_codes_daily", full, reach)
    if since is None:
        return BuildResult(pl.DataFrame(), None)
    start = utc_start(since)
    errors = error_codes_daily(read_query(con, "mart_read_rejected_attempts", [start]),
                               read_query(con, "mart_read_failed_events", [start]))
    replace_window(con, "mart_delete_error_codes_since", [since], "mart_insert_error_codes_daily", errors,
                   state=("error_codes_daily", reach))
    return BuildResult(errors, since, is_full)


def build_estimates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rebuild marts.delivery_estimates whole."""
    frame = delivery_estimates(read_query(con, "mart_read_estimates"), read_query(con, "mart_read_campaign_daily_all"),
                               read_query(con, "mart_read_accounts"))
    replace_window(con, "mart_delete_delivery_estimates", [], "mart_insert_delivery_estimates", frame)
    return frame


def _responses_start(con: duckdb.DuckDBPyConnection, full: bool, reach: pl.DataFrame) -> tuple[dt.date | None, bool, bool]:
    """(first UTC date to rebuild or None, whether it is a full rebuild, whether any raw row is new)."""
    seen = {row[0]: row[1:] for row in read_query(con, "mart_build_watermarks", ["responses_daily"]).iter_rows()}
    if full or len(seen) < reach.height:
        return BEGINNING, True, True
    now = {row[0]: row[1:] for row in reach.iter_rows()}
    (taps_rowid, taps_count), (events_rowid, events_count) = seen["messenger_events"], seen["webhook_events"]
    ((earliest, new_taps, new_events),) = con.execute(
        sql_text("queries/mart_responses_earliest_new.sql"), [taps_rowid, events_rowid]).fetchall()
    if now["messenger_events"][1] - taps_count != new_taps or now["webhook_events"][1] - events_count != new_events:
        return BEGINNING, True, True  # rows went missing or were rewritten: a raw table was rebuilt
    return (None if earliest is None else earliest.date()), False, bool(new_taps or new_events)


def build_responses(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.responses_daily from the earliest UTC date new taps or received messages can change."""
    reach = read_query(con, "mart_responses_source_watermarks")
    since, is_full, moved = _responses_start(con, full, reach)
    if since is None:
        if moved:  # new rows, but no tap and no message received among them: only the state moves on
            replace_window(con, "mart_delete_responses_since", [dt.date.max], "mart_insert_responses_daily",
                           pl.DataFrame(schema=RESPONSES_SCHEMA), state=("responses_daily", reach))
        return BuildResult(pl.DataFrame(), None)
    start = utc_start(since)
    rows = responses_daily(read_query(con, "mart_read_taps", [start]), read_query(con, "mart_read_taps_received", [start]))
    replace_window(con, "mart_delete_responses_since", [since], "mart_insert_responses_daily", rows,
                   state=("responses_daily", reach))
    return BuildResult(rows, since, is_full)
