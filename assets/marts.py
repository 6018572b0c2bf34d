"""The marts: thin assets over `pipelines.mart_builds` (DuckDB in and out, polars in between).

campaign_daily and conversions_daily follow the raw insights' daily partitions (one run rebuilds a
whole partition range); the export-based marts are incremental and the estimates mart is rebuilt
whole. Checks live in `assets/mart_checks.py`.
"""

import dagster as dg
import polars as pl

from assets.metadata import DUCKDB_POOL, add_partition_row_counts, mart_key, raw_key, table_preview
from pipelines import mart_builds
from pipelines.freshness import DAILY_REFRESH
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

GROUP = "marts"
KINDS = {"polars", "duckdb"}


class MartRebuildConfig(dg.Config):
    """`full_rebuild: true` rebuilds every date instead of only those new export rows can change."""

    full_rebuild: bool = False


def _metadata(con, name: str, frame: pl.DataFrame, **extra: dg.MetadataValue) -> dict[str, dg.MetadataValue]:
    return {
        "dagster/row_count": dg.MetadataValue.int(mart_builds.mart_row_count(con, name)),
        "rows_written": dg.MetadataValue.int(frame.height),
        "preview": table_preview(frame),
        **extra,
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            mart_key("campaign_daily"),
            group_name=GROUP,
            kinds=KINDS,
            freshness_policy=DAILY_REFRESH,
            deps=[raw_key(n) for n in ("campaign_insights_daily", "campaign_actions_daily", "message_campaigns", "ad_accounts")],
            description="One row per message campaign and account-local day from the Graph insights: spend, delivered, "
            "reads, link clicks, read and delivery rates, pixel purchases and value (attribution window `default`), "
            "roas = purchase_value / spend (NULL when spend is 0) beside Meta's api_roas. Restated for 28 days.",
        ),
        dg.AssetSpec(
            mart_key("conversions_daily"),
            group_name=GROUP,
            kinds=KINDS,
            freshness_policy=DAILY_REFRESH,
            deps=[raw_key("campaign_actions_daily")],
            description="One row per message campaign, account-local day, offsite_conversion.fb_pixel_* action type "
            "and attribution window, from the Graph insights' actions and action_values.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
)
def campaign_marts(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Rebuild the partition range's dates of both insight marts in one pass."""
    keys = context.partition_key_range
    since = daily_partitions.time_window_for_partition_key(keys.start).start.date()
    until = daily_partitions.time_window_for_partition_key(keys.end).start.date()
    with warehouse.connect() as con:
        daily, conversions = mart_builds.build_campaign_marts(con, since, until)
        window = dg.MetadataValue.text(f"{since.isoformat()}..{until.isoformat()}")
        for name, frame in (("campaign_daily", daily), ("conversions_daily", conversions)):
            # Each partition gets its own date's rows; `dagster/row_count` stays the whole table's.
            add_partition_row_counts(context, mart_key(name), frame["date"].to_list())
            yield dg.MaterializeResult(asset_key=mart_key(name), metadata=_metadata(con, name, frame, window=window))


def _incremental_metadata(con, name: str, result: mart_builds.BuildResult) -> dict[str, dg.MetadataValue]:
    metadata = _metadata(con, name, result.frame)
    metadata["rebuilt_from"] = dg.MetadataValue.text(
        "nothing new" if result.since is None else ("all dates" if result.full else result.since.isoformat())
    )
    return metadata


@dg.asset(
    key=mart_key("delivery_funnel_daily"),
    group_name=GROUP,
    kinds=KINDS,
    freshness_policy=DAILY_REFRESH,
    deps=[raw_key("send_attempts"), raw_key("webhook_events"), raw_key("message_campaigns")],
    pool=DUCKDB_POOL,
)
def delivery_funnel_daily(config: MartRebuildConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per Page, message campaign and UTC date of the send: attempted, accepted and rejected from
    the send log; sent, delivered, read, clicked and failed from webhooks, each event attributed to its
    send by tracking id, else by campaign and subscription token to the latest send before it (a later
    stage implies the earlier ones); events matching no send are counted in unattributed_events on their
    own date. Incremental: only dates new export rows can change are rebuilt."""
    with warehouse.connect() as con:
        result = mart_builds.build_funnel(con, full=config.full_rebuild)
        return dg.MaterializeResult(metadata=_incremental_metadata(con, "delivery_funnel_daily", result))


@dg.asset(
    key=mart_key("error_codes_daily"),
    group_name=GROUP,
    kinds=KINDS,
    freshness_policy=DAILY_REFRESH,
    deps=[raw_key("send_attempts"), raw_key("webhook_events")],
    pool=DUCKDB_POOL,
)
def error_codes_daily(config: MartRebuildConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per UTC date, message campaign, source (send_api / delivery_failed_webhook) and error code,
    with the code's name, category, whether a retry can help and the advice, from the versioned error-code
    catalogue. Unknown codes and messages are counted as unknown, never dropped. Incremental."""
    with warehouse.connect() as con:
        result = mart_builds.build_error_codes(con, full=config.full_rebuild)
        return dg.MaterializeResult(metadata=_incremental_metadata(con, "error_codes_daily", result))


@dg.asset(
    key=mart_key("delivery_estimates"),
    group_name=GROUP,
    kinds=KINDS,
    freshness_policy=DAILY_REFRESH,
    deps=[raw_key("delivery_estimates"), raw_key("ad_accounts"), mart_key("campaign_daily")],
    pool=DUCKDB_POOL,
)
def delivery_estimates(warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per ad account and estimate snapshot date (account-local): the estimate's delivery and
    cost bounds beside the account's actual insights delivered and spend on that same day (horizon: one
    day; NULL actuals until the day has insights). Rebuilt whole."""
    with warehouse.connect() as con:
        frame = mart_builds.build_estimates(con)
        return dg.MaterializeResult(metadata=_metadata(con, "delivery_estimates", frame))


@dg.asset(
    key=mart_key("responses_daily"),
    group_name=GROUP,
    kinds=KINDS,
    freshness_policy=DAILY_REFRESH,
    deps=[raw_key("webhook_events")],
    pool=DUCKDB_POOL,
)
def responses_daily(config: MartRebuildConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """What recipients tapped: one row per Page, message campaign, UTC date of the tap, kind (postback /
    quick_reply), title and payload, from the postbacks and quick replies in raw.messenger_events. A tap
    belongs to the marketing message its sender last received on the Page at or before it (echoes and
    deliveries in raw.webhook_events, by PSID); taps with no such message count under a NULL campaign
    (attributed = false). Incremental: only dates new taps or new messages received can change are rebuilt."""
    with warehouse.connect() as con:
        result = mart_builds.build_responses(con, full=config.full_rebuild)
        return dg.MaterializeResult(metadata=_incremental_metadata(con, "responses_daily", result))
