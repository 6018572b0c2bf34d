"""Writing Graph pulls into the `raw` tables (sql/migrations/002_raw_graph.sql), and reading the
landed entities back for the later steps of the run that landed them.

Every write is one transaction: snapshots replace their rows, the daily tables delete the
requested window per account and insert the new rows, so any number of re-runs gives identical
tables and a failure leaves the previous rows in place. Decimals travel as text and are cast by
DuckDB, so no value passes through a float.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import polars as pl

from pipelines.graph.accounts import AdAccount
from pipelines.graph.campaigns import MessageCampaign
from pipelines.graph.estimates import DeliveryEstimate
from pipelines.graph.insights import ActionRow, InsightRow
from pipelines.graph.pull import InsightsPull, KnownAccount
from pipelines.warehouse import sql_text


def _frame(rows: Sequence[Any], cls: type) -> pl.DataFrame:
    """Rows of a dataclass as a frame of text columns (None stays null)."""
    names = [f.name for f in dataclasses.fields(cls)]
    columns = {name: [None if (v := getattr(r, name)) is None else str(v) for r in rows] for name in names}
    return pl.DataFrame(columns, schema={name: pl.String for name in names})


def _transaction(
    con: duckdb.DuckDBPyConnection, steps: Iterable[tuple[str, list[Any] | None]], frames: dict[str, pl.DataFrame]
) -> None:
    for name, frame in frames.items():
        con.register(name, frame)
    con.execute("begin transaction")
    try:
        for query, params in steps:
            con.execute(sql_text(query), params or [])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for name in frames:
            con.unregister(name)


def replace_entities(
    con: duckdb.DuckDBPyConnection, accounts: Sequence[AdAccount], campaigns: Sequence[MessageCampaign]
) -> None:
    """Snapshot: the accounts and campaigns tables become exactly these rows."""
    _transaction(
        con,
        [
            ("queries/delete_ad_accounts.sql", None),
            ("queries/insert_ad_accounts.sql", None),
            ("queries/delete_message_campaigns.sql", None),
            ("queries/insert_message_campaigns.sql", None),
        ],
        {"ad_accounts_frame": _frame(accounts, AdAccount), "campaigns_frame": _frame(campaigns, MessageCampaign)},
    )


def replace_insights(con: duckdb.DuckDBPyConnection, pulls: Sequence[InsightsPull]) -> None:
    """Delete each account's [since, until] window from both daily tables and insert the pull."""
    steps: list[tuple[str, list[Any] | None]] = []
    for pull in pulls:
        window = [pull.account.ad_account_id, pull.since, pull.until]
        steps.append(("queries/delete_campaign_insights_window.sql", window))
        steps.append(("queries/delete_campaign_actions_window.sql", window))
    steps.append(("queries/insert_campaign_insights.sql", None))
    steps.append(("queries/insert_campaign_actions.sql", None))
    frames = {
        "insights_frame": _frame([r for p in pulls for r in p.rows], InsightRow),
        "actions_frame": _frame([a for p in pulls for a in p.actions], ActionRow),
    }
    _transaction(con, steps, frames)


def upsert_estimates(con: duckdb.DuckDBPyConnection, estimates: Sequence[DeliveryEstimate]) -> None:
    """Replace the (account, snapshot date) rows of these estimates."""
    steps: list[tuple[str, list[Any] | None]] = [
        ("queries/delete_delivery_estimate.sql", [e.ad_account_id, e.snapshot_date]) for e in estimates
    ]
    steps.append(("queries/insert_delivery_estimates.sql", None))
    _transaction(con, steps, {"estimates_frame": _frame(estimates, DeliveryEstimate)})


def landed_accounts(con: duckdb.DuckDBPyConnection) -> dict[str, KnownAccount]:
    """The landed account nodes with their message-campaign ids, by ad account id: what
    `replace_entities` wrote, read back exactly (an account without campaigns has none)."""
    campaigns: dict[str, set[str]] = {}
    for account_id, campaign_id in con.execute(sql_text("queries/select_landed_message_campaign_ids.sql")).fetchall():
        campaigns.setdefault(account_id, set()).add(campaign_id)
    known = {}
    for account_id, name, currency, offset, timezone_name, status in con.execute(
        sql_text("queries/select_landed_ad_accounts.sql")
    ).fetchall():
        account = AdAccount(account_id, name, currency, offset, timezone_name, status)
        known[account_id] = KnownAccount(account, frozenset(campaigns.get(account_id, ())))
    return known
