"""Raw Graph API assets (group `meta_graph`): ad accounts, message campaigns, daily insights and
pixel actions, delivery estimates. Thin: the pulling lives in `pipelines/graph/`, the writing in
`pipelines/graph/store.py`. Nothing is written unless every configured account succeeded.

The insights and estimates steps come after the entities step and, when it ran in the same run,
take the account nodes and campaign lists it landed instead of reading them from the API again;
landed by another run (an asset materialized on its own), they may be stale, so the API is read."""

from collections.abc import Iterator, Sequence
from datetime import date

import dagster as dg
import polars as pl

from assets.metadata import DUCKDB_POOL, add_partition_row_counts, table_preview
from assets.retries import GRAPH_RETRY, usage_errors_are_final
from pipelines.graph import pull, store
from pipelines.graph.client import CallStats
from pipelines.graph.estimates import DeliveryEstimate
from pipelines.partitions import daily_partitions
from pipelines.resources import GraphApi, MmlensSettings, Warehouse
from pipelines.warehouse import sql_text

GROUP = "meta_graph"
KINDS = {"python", "duckdb"}
AD_ACCOUNTS = dg.AssetKey(["raw", "ad_accounts"])
MESSAGE_CAMPAIGNS = dg.AssetKey(["raw", "message_campaigns"])
INSIGHTS = dg.AssetKey(["raw", "campaign_insights_daily"])
ACTIONS = dg.AssetKey(["raw", "campaign_actions_daily"])
ESTIMATES = dg.AssetKey(["raw", "delivery_estimates"])


def _preview(rows: Sequence[object]) -> dg.MetadataValue:
    """A table of the first rows (dataclasses), for the Dagster UI."""
    frame = pl.DataFrame([{k: None if v is None else str(v) for k, v in vars(r).items()} for r in rows[:10]])
    return table_preview(frame)


def _stats(client_stats: CallStats, extra: dict[str, int] | None = None) -> dict[str, dg.MetadataValue]:
    meta = {
        "graph_requests": dg.MetadataValue.int(client_stats.requests),
        "graph_retries": dg.MetadataValue.int(client_stats.retries),
    }
    meta.update({k: dg.MetadataValue.int(v) for k, v in (extra or {}).items()})
    return meta


def _landed_by_this_run(context: dg.AssetExecutionContext) -> bool:
    """Whether the latest landing of the accounts and campaigns is this run's own. The campaigns
    are `graph_entities`' last output, yielded after the one transaction that wrote both tables."""
    event = context.instance.get_latest_materialization_event(MESSAGE_CAMPAIGNS)
    return event is not None and event.run_id == context.run.run_id


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            AD_ACCOUNTS,
            group_name=GROUP,
            kinds=KINDS,
            description="One row per configured ad account (`GET act_<id>`): currency, its minor-unit "
            "offset and the time zone its insights are reported in. Snapshot, replaced on every run.",
        ),
        dg.AssetSpec(
            MESSAGE_CAMPAIGNS,
            group_name=GROUP,
            kinds=KINDS,
            description="One row per marketing-message campaign (listed via `/act_<id>/ads` with "
            "`campaign{is_message_campaign}`): name, Page, status, budgets in currency units, start "
            "and end, pixel. Snapshot, replaced on every run.",
        ),
    ],
    pool=DUCKDB_POOL,
    retry_policy=GRAPH_RETRY,
)
@usage_errors_are_final
def graph_entities(settings: MmlensSettings, warehouse: Warehouse, graph: GraphApi) -> Iterator[dg.MaterializeResult]:
    config = settings.load()
    with graph.client(config) as client:
        pulled = pull.for_each_account(config.ad_account_ids, lambda a: pull.pull_entities(client, a), client)
        stats = client.stats
    accounts = [p.account for p in pulled]
    campaigns = [c for p in pulled for c in p.campaigns]
    with warehouse.connect() as con:
        store.replace_entities(con, accounts, campaigns)
    yield dg.MaterializeResult(
        asset_key=AD_ACCOUNTS,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(accounts)),
            "preview": _preview(accounts),
            **_stats(stats),
        },
    )
    yield dg.MaterializeResult(
        asset_key=MESSAGE_CAMPAIGNS,
        metadata={"dagster/row_count": dg.MetadataValue.int(len(campaigns)), "preview": _preview(campaigns)},
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            INSIGHTS,
            group_name=GROUP,
            kinds=KINDS,
            deps=[AD_ACCOUNTS, MESSAGE_CAMPAIGNS],
            description="One row per message campaign and day (the partition date read in each ad "
            "account's own time zone) from `act_<id>/insights` at level=campaign, time_increment=1: "
            "spend and every marketing_messages_* metric. Meta restates for 28 days, so the daily "
            "schedule re-pulls the lookback window.",
        ),
        dg.AssetSpec(
            ACTIONS,
            group_name=GROUP,
            kinds=KINDS,
            deps=[AD_ACCOUNTS, MESSAGE_CAMPAIGNS],
            description="One row per message campaign, day, pixel action type and attribution window "
            "(`default` = Meta's value) from the same insights job, requested with "
            "action_breakdowns=action_type and a filter on the ten offsite_conversion.fb_pixel_* types.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    retry_policy=GRAPH_RETRY,
)
@usage_errors_are_final
def campaign_insights(
    context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse, graph: GraphApi
) -> Iterator[dg.MaterializeResult]:
    config = settings.load()
    windows = pull.check_windows(config.attribution_windows)  # refuse deprecated windows before any call
    keys = context.partition_key_range
    since, until = date.fromisoformat(keys.start), date.fromisoformat(keys.end)
    context.log.info(f"insights {since}..{until} for {len(config.ad_account_ids)} ad account(s)")

    def progress(account: str, first: date, last: date) -> None:
        context.log.info(f"act_{account}: insights {first}..{last} fetched")

    poll = graph.timing().poll
    known: dict[str, pull.KnownAccount] = {}
    if _landed_by_this_run(context):
        with warehouse.connect() as con:
            known = store.landed_accounts(con)
    with graph.client(config) as client:
        pulls = pull.for_each_account(
            config.ad_account_ids,
            lambda a: pull.pull_insights(client, a, since, until, windows, poll, progress, known.get(a)),
            client,
        )
        stats = client.stats
    with warehouse.connect() as con:
        store.replace_insights(con, pulls)
    rows = [r for p in pulls for r in p.rows]
    actions = [a for p in pulls for a in p.actions]
    add_partition_row_counts(context, INSIGHTS, (r.date for r in rows))
    add_partition_row_counts(context, ACTIONS, (a.date for a in actions))
    jobs = sum(p.jobs for p in pulls)
    skipped = sum(p.skipped_rows for p in pulls)
    if skipped:
        context.log.info(f"{skipped} insights row(s) of regular (non-message) ad campaigns left out")
    yield dg.MaterializeResult(
        asset_key=INSIGHTS,
        metadata={
            "rows_pulled": dg.MetadataValue.int(len(rows)),
            "preview": _preview(rows),
            "since": since.isoformat(),
            "until": until.isoformat(),
            **_stats(
                stats, {"async_jobs": jobs, "range_splits": sum(p.splits for p in pulls), "non_message_rows": skipped}
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=ACTIONS,
        metadata={"rows_pulled": dg.MetadataValue.int(len(actions)), "preview": _preview(actions)},
    )


@dg.asset(
    key=ESTIMATES,
    group_name=GROUP,
    kinds=KINDS,
    deps=[AD_ACCOUNTS, MESSAGE_CAMPAIGNS],
    pool=DUCKDB_POOL,
    retry_policy=GRAPH_RETRY,
)
@usage_errors_are_final
def delivery_estimates(
    context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse, graph: GraphApi
) -> dg.MaterializeResult:
    """One row per ad account and snapshot date (today in the account's time zone) from
    `act_<id>/message_delivery_estimate` for the account's main sending Page (most campaigns),
    without a budget cap; costs in currency units. Re-running the same day replaces that day's row."""
    config = settings.load()
    with warehouse.connect() as con:
        pages = dict(con.execute(sql_text("queries/campaign_pages_by_account.sql")).fetchall())
        known = store.landed_accounts(con) if _landed_by_this_run(context) else {}

    with graph.client(config) as client:

        def one(account_id: str) -> DeliveryEstimate | None:
            estimate = pull.pull_estimate(client, account_id, pages, known.get(account_id))
            if estimate is None:
                context.log.warning(f"act_{account_id}: no sending Page known; no estimate")
            return estimate

        estimates = [e for e in pull.for_each_account(config.ad_account_ids, one, client) if e is not None]
        stats = client.stats
    with warehouse.connect() as con:
        store.upsert_estimates(con, estimates)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(estimates)),
            "preview": _preview(estimates),
            **_stats(stats),
        }
    )
