"""One run of lake mode's `account_job`, in plain Python: some ad accounts over a date range,
pulled into the run's own scratch DuckDB file (its working copy), the account marts built there,
then its windows published to the lake (`pipelines.lake.publish`). The same calls as the
single-file run's assets make (`pipelines.graph.pull`, `.store`, `pipelines.mart_builds`), over
the run's accounts only, so a window holds what the single-file run holds for those accounts."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import mart_builds
from pipelines.graph import pull, store
from pipelines.graph.async_reports import PollPolicy
from pipelines.graph.client import GraphClient
from pipelines.warehouse import sql_text

SCRATCH_DIR = "scratch"


def scratch_path(home: Path, run_id: str) -> Path:
    """The run's working copy: `MMLENS_HOME/scratch/<run id>/warehouse.duckdb`."""
    return home / SCRATCH_DIR / run_id / "warehouse.duckdb"


def remove_scratch(home: Path, run_id: str) -> None:
    shutil.rmtree(scratch_path(home, run_id).parent, ignore_errors=True)


@dataclass(frozen=True)
class Pulled:
    accounts: int
    campaigns: int
    insight_rows: int
    action_rows: int
    estimates: int
    requests: int
    async_jobs: int


def pull_window(client: GraphClient, con: duckdb.DuckDBPyConnection, accounts: Sequence[str], since: dt.date,
                until: dt.date, windows: Sequence[str], poll: PollPolicy) -> Pulled:
    """The accounts' nodes, campaigns, insights for since..until and today's delivery estimates,
    landed in `con` (a fresh working copy: the entities are this pull's own)."""
    entities = pull.for_each_account(accounts, lambda a: pull.pull_entities(client, a), client)
    store.replace_entities(con, [e.account for e in entities], [c for e in entities for c in e.campaigns])
    known = store.landed_accounts(con)
    insights = pull.for_each_account(
        accounts, lambda a: pull.pull_insights(client, a, since, until, windows, poll, None, known.get(a)), client)
    store.replace_insights(con, insights)
    pages = dict(con.execute(sql_text("queries/campaign_pages_by_account.sql")).fetchall())
    estimates = [e for e in pull.for_each_account(
        accounts, lambda a: pull.pull_estimate(client, a, pages, known.get(a)), client) if e is not None]
    store.upsert_estimates(con, estimates)
    return Pulled(accounts=len(entities), campaigns=sum(len(e.campaigns) for e in entities),
                  insight_rows=sum(len(p.rows) for p in insights), action_rows=sum(len(p.actions) for p in insights),
                  estimates=len(estimates), requests=client.stats.requests, async_jobs=sum(p.jobs for p in insights))


def build_account_marts(con: duckdb.DuckDBPyConnection, since: dt.date, until: dt.date) -> dict[str, int]:
    """campaign_daily and conversions_daily for since..until, and the estimates mart; rows written."""
    daily, conversions = mart_builds.build_campaign_marts(con, since, until)
    estimates = mart_builds.build_estimates(con)
    return {"campaign_daily": daily.height, "conversions_daily": conversions.height,
            "delivery_estimates": estimates.height}
