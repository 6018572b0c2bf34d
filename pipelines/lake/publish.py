"""Lake mode's write path: a run's own rows, from its DuckDB warehouse into the shared lake.

Each run works in its own `MMLENS_HOME` (its DuckDB file is the working copy, single writer as
ever) and, once its Graph tables and account marts are built, replaces in the lake exactly the
windows it owns: its ad accounts, and for the daily tables its date range. Runs for different
accounts (or days) therefore write disjoint windows of the same tables and both land; a re-run
replaces its windows with identical rows. Each table's window is one Iceberg commit, raw tables
before the marts built from them.

The marts published are the account-scoped ones (their rows depend only on the account's own raw
rows, so building them per run equals building them over the whole lake). The export tables
(webhooks, send logs, quarantine, manifest) are written by ingestion shards, one window per export
file (`export_tables.py`, `shards.py`), and their marts are built over the lake (`export_marts.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.lake.catalog import Lake, Window
from pipelines.warehouse import sql_text


@dataclass(frozen=True)
class LakeTable:
    """One table the lake holds and how a run's window of it is chosen: `all` the accounts' rows,
    their rows in the run's date `range`, or their rows on the `dates` the run's rows carry (daily
    snapshots such as the delivery estimates, kept one row per account and day)."""

    identifier: str
    scope: str  # "all", "range" or "dates"
    column: str | None = None

    @property
    def query(self) -> str:
        return f"queries/lake_read_{self.identifier.replace('.', '_')}.sql"


LAKE_TABLES = (
    LakeTable("raw.ad_accounts", "all"),
    LakeTable("raw.message_campaigns", "all"),
    LakeTable("raw.campaign_insights_daily", "range", "date"),
    LakeTable("raw.campaign_actions_daily", "range", "date"),
    LakeTable("raw.delivery_estimates", "dates", "snapshot_date"),
    LakeTable("marts.campaign_daily", "range", "date"),
    LakeTable("marts.conversions_daily", "range", "date"),
    LakeTable("marts.delivery_estimates", "dates", "snapshot_date"),
)


@dataclass(frozen=True)
class Published:
    identifier: str
    rows: int
    attempts: int  # commits tried: above 1 when another writer committed first


def _window(table: LakeTable, rows: pa.Table, accounts: tuple[str, ...], since: dt.date, until: dt.date) -> Window:
    if table.scope == "range":
        return Window(accounts, table.column, since=since, until=until)
    if table.scope == "dates":
        assert table.column is not None
        days = tuple(sorted(d for d in pc.unique(rows[table.column]).to_pylist() if d is not None))
        return Window(accounts, table.column, dates=days)
    return Window(accounts)


def publish_run(con: duckdb.DuckDBPyConnection, lake: Lake, accounts: Sequence[str], since: dt.date,
                until: dt.date) -> list[Published]:
    """Replace the run's windows of every lake table with the warehouse's rows for them."""
    owned = tuple(accounts)
    con.execute("set TimeZone = 'UTC'")
    published = []
    for table in LAKE_TABLES:
        params: dict[str, object] = {"accounts": list(owned)}
        if table.scope == "range":
            params |= {"since": since, "until": until}
        rows = con.sql(sql_text(table.query), params=params).arrow().read_all()
        window = _window(table, rows, owned, since, until)
        if table.scope == "dates" and not window.dates:
            # No snapshot rows: nothing of the lake is this run's to replace (but the table exists).
            lake.ensure_table(table.identifier, rows.schema)
            published.append(Published(table.identifier, 0, 0))
            continue
        attempts = lake.replace(table.identifier, rows, window)
        published.append(Published(table.identifier, rows.num_rows, attempts))
    return published
