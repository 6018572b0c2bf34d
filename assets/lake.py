"""Lake mode's publish step: the run's Graph tables and account marts into the Iceberg lake."""

import dagster as dg

from assets.metadata import DUCKDB_POOL, mart_key, raw_key
from pipelines.partitions import daily_partitions
from pipelines.resources import MmlensSettings, Warehouse

LAKE_SOURCES = [raw_key(n) for n in ("ad_accounts", "message_campaigns", "campaign_insights_daily",
                                      "campaign_actions_daily", "delivery_estimates")] + \
               [mart_key(n) for n in ("campaign_daily", "conversions_daily", "delivery_estimates")]


@dg.asset(
    key="lake_tables",
    group_name="publish",
    kinds={"iceberg", "duckdb"},
    deps=LAKE_SOURCES,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
)
def lake_tables(context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    """Lake mode (MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE set): the run's windows of the Graph raw
    tables and the account marts (campaign_daily, conversions_daily, delivery_estimates), each replaced in
    its Iceberg table in one commit: the configured ad accounts, and for the daily tables the run's
    partition range. Runs for other accounts or days writing the same lake at once all land. Without
    the lake settings this does nothing: the DuckDB warehouse is the only store."""
    config = settings.load()
    if config.lake is None:
        return dg.MaterializeResult(metadata={"lake": dg.MetadataValue.text("off")})
    # pyiceberg loads only in lake mode: the default runs and the code location never import it.
    from pipelines.lake.catalog import Lake
    from pipelines.lake.publish import publish_run

    keys = context.partition_key_range
    since = daily_partitions.time_window_for_partition_key(keys.start).start.date()
    until = daily_partitions.time_window_for_partition_key(keys.end).start.date()
    lake = Lake(config.lake)
    with warehouse.connect(read_only=True) as con:
        published = publish_run(con, lake, config.ad_account_ids, since, until)
    return dg.MaterializeResult(metadata={
        "lake": dg.MetadataValue.text("on"),
        "window": dg.MetadataValue.text(f"{since.isoformat()}..{until.isoformat()}"),
        "tables": dg.MetadataValue.md("\n".join(
            ["| table | rows | commit attempts |", "|---|---|---|"]
            + [f"| {p.identifier} | {p.rows} | {p.attempts} |" for p in published])),
        "commit_retries": dg.MetadataValue.int(sum(max(p.attempts - 1, 0) for p in published)),
    })
