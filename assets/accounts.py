"""Lake mode's work split by ad account (group `accounts`, job `account_job`, code location
`pipelines.account_definitions`): the Graph pulls and the account marts as partitions of
(date × ad account), one asset (`accounts/lake_tables`). Each run works in its own scratch DuckDB
file and ends by replacing its windows of the lake's Iceberg tables, so runs for different accounts
go side by side (`mmlens backfill` submits one per account through Dagster's run queue). Thin: the
work is `pipelines.lake.account_run`; the single-file `daily_job` never includes this asset."""

import dagster as dg

from assets.retries import GRAPH_RETRY, usage_errors_are_final
from pipelines import warehouse
from pipelines.errors import UsageError
from pipelines.lake.account_run import build_account_marts, pull_window, remove_scratch, scratch_path
from pipelines.partitions import AccountWindow, account_day_partitions, window_of
from pipelines.resources import GraphApi, MmlensSettings
from pipelines.settings import Settings

ACCOUNT_GROUP = "accounts"
LAKE_WINDOWS = dg.AssetKey(["accounts", "lake_tables"])


def _window(context: dg.AssetExecutionContext) -> AccountWindow:
    return window_of(account_day_partitions.get_partition_key_from_str(key) for key in context.partition_keys)


def _lake_settings(settings: MmlensSettings) -> Settings:
    config = settings.load()
    if config.lake is None:
        raise UsageError("account_job: lake mode is off (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)")
    return config


def _text(window: AccountWindow) -> dict[str, dg.MetadataValue]:
    return {"accounts": dg.MetadataValue.text(",".join(window.accounts)),
            "window": dg.MetadataValue.text(f"{window.since.isoformat()}..{window.until.isoformat()}")}


# One asset, one step: Dagster records two events per asset and partition of a run (planned, then
# materialized), each a write to its event log, so a run of 90 days writes 180 and not 540.
# No `pool`: every run has its own DuckDB file, so nothing here waits on the `duckdb` pool's slot.
@dg.asset(key=LAKE_WINDOWS, kinds={"python", "polars", "duckdb", "iceberg"}, group_name=ACCOUNT_GROUP,
          partitions_def=account_day_partitions, backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=GRAPH_RETRY)
@usage_errors_are_final
def account_lake_tables(context: dg.AssetExecutionContext, settings: MmlensSettings, graph: GraphApi) -> dg.MaterializeResult:
    """The run's ad accounts × dates in the lake: their nodes, message campaigns, daily insights and pixel
    actions and today's delivery estimates pulled into the run's scratch DuckDB file, campaign_daily,
    conversions_daily and delivery_estimates built there as the single-file marts are, then each table's
    window (the run's accounts, and for the daily tables its dates) replaced in its Iceberg table in one
    commit. The scratch file is removed at the end, also when the step fails."""
    from pipelines.lake.catalog import Lake
    from pipelines.lake.publish import publish_run

    config = _lake_settings(settings)
    assert config.lake is not None
    window = _window(context)
    context.log.info(f"insights {window.since}..{window.until} for {len(window.accounts)} ad account(s)")
    run = config.model_copy(update={"ad_account_ids": window.accounts})
    path = scratch_path(config.home, context.run.run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with graph.client(run) as client, warehouse.connect(path) as con:
            pulled = pull_window(client, con, window.accounts, window.since, window.until,
                                 run.attribution_windows, graph.timing().poll)
            built = build_account_marts(con, window.since, window.until)
            published = publish_run(con, Lake(config.lake), window.accounts, window.since, window.until)
    finally:
        remove_scratch(config.home, context.run.run_id)
    return dg.MaterializeResult(metadata={
        **_text(window),
        **{name: dg.MetadataValue.int(value) for name, value in vars(pulled).items()},
        **{f"{name}_rows": dg.MetadataValue.int(value) for name, value in built.items()},
        "tables": dg.MetadataValue.md("\n".join(["| table | rows | commit attempts |", "|---|---|---|"]
                                                + [f"| {p.identifier} | {p.rows} | {p.attempts} |" for p in published])),
        "commit_retries": dg.MetadataValue.int(sum(max(p.attempts - 1, 0) for p in published)),
    })
