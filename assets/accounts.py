"""Lake mode's work split by ad account (group `accounts`, job `account_job`, code location
`pipelines.account_definitions`): the Graph pulls and the account marts as partitions of
(date × ad account). Each run works in its own scratch DuckDB file and ends by replacing its
windows of the lake's Iceberg tables, so runs for different accounts go side by side (`mmlens
backfill` submits one per account through Dagster's run queue). Thin: the work is
`pipelines.lake.account_run`; the single-file `daily_job` never includes these assets."""


import dagster as dg

from assets.retries import GRAPH_RETRY, usage_errors_are_final
from pipelines import warehouse
from pipelines.errors import UsageError
from pipelines.lake.account_run import build_account_marts, pull_window, remove_scratch, scratch_path
from pipelines.partitions import AccountWindow, account_day_partitions, window_of
from pipelines.resources import GraphApi, MmlensSettings
from pipelines.settings import Settings

ACCOUNT_GROUP = "accounts"
GRAPH_RAW = dg.AssetKey(["accounts", "graph_raw"])
ACCOUNT_MARTS = dg.AssetKey(["accounts", "marts"])
LAKE_WINDOWS = dg.AssetKey(["accounts", "lake_tables"])
# No `pool`: every run has its own DuckDB file, so nothing here waits on the `duckdb` pool's slot.
COMMON = {"group_name": ACCOUNT_GROUP, "partitions_def": account_day_partitions,
          "backfill_policy": dg.BackfillPolicy.single_run()}


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


@dg.asset(key=GRAPH_RAW, kinds={"python", "duckdb"}, retry_policy=GRAPH_RETRY, **COMMON)
@usage_errors_are_final
def account_graph_raw(context: dg.AssetExecutionContext, settings: MmlensSettings, graph: GraphApi) -> dg.MaterializeResult:
    """The run's ad accounts (nodes, message campaigns), their daily insights and pixel actions for the
    run's dates and today's delivery estimates, pulled into the run's scratch DuckDB file."""
    config = _lake_settings(settings)
    window = _window(context)
    context.log.info(f"insights {window.since}..{window.until} for {len(window.accounts)} ad account(s)")
    run = config.model_copy(update={"ad_account_ids": window.accounts})
    path = scratch_path(config.home, context.run.run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with graph.client(run) as client, warehouse.connect(path) as con:
        pulled = pull_window(client, con, window.accounts, window.since, window.until,
                             run.attribution_windows, graph.timing().poll)
    return dg.MaterializeResult(metadata={
        **_text(window), **{name: dg.MetadataValue.int(value) for name, value in vars(pulled).items()}})


@dg.asset(key=ACCOUNT_MARTS, kinds={"polars", "duckdb"}, deps=[GRAPH_RAW], **COMMON)
def account_marts(context: dg.AssetExecutionContext, settings: MmlensSettings) -> dg.MaterializeResult:
    """campaign_daily, conversions_daily and delivery_estimates for the run's accounts and dates, built in
    the run's scratch file exactly as the single-file marts are built."""
    config = _lake_settings(settings)
    window = _window(context)
    with warehouse.connect(scratch_path(config.home, context.run.run_id)) as con:
        rows = build_account_marts(con, window.since, window.until)
    return dg.MaterializeResult(metadata={**_text(window), **{k: dg.MetadataValue.int(v) for k, v in rows.items()}})


@dg.asset(key=LAKE_WINDOWS, kinds={"iceberg", "duckdb"}, deps=[ACCOUNT_MARTS], **COMMON)
def account_lake_tables(context: dg.AssetExecutionContext, settings: MmlensSettings) -> dg.MaterializeResult:
    """The run's windows of the Graph raw tables and the account marts, each replaced in its Iceberg table
    in one commit (the run's accounts, and for the daily tables its dates); the scratch file is then removed."""
    from pipelines.lake.catalog import Lake
    from pipelines.lake.publish import publish_run

    config = _lake_settings(settings)
    assert config.lake is not None
    window = _window(context)
    path = scratch_path(config.home, context.run.run_id)
    with warehouse.connect(path, read_only=True) as con:
        published = publish_run(con, Lake(config.lake), window.accounts, window.since, window.until)
    remove_scratch(config.home, context.run.run_id)
    return dg.MaterializeResult(metadata={
        **_text(window),
        "tables": dg.MetadataValue.md("\n".join(["| table | rows | commit attempts |", "|---|---|---|"]
                                                + [f"| {p.identifier} | {p.rows} | {p.attempts} |" for p in published])),
        "commit_retries": dg.MetadataValue.int(sum(max(p.attempts - 1, 0) for p in published)),
    })
