"""The analyst snapshot: `analytics.duckdb`, a consistent copy of the warehouse plus the views."""

from __future__ import annotations

import dagster as dg

from assets.metadata import DUCKDB_POOL, MART_KEYS
from pipelines import snapshot_privacy, warehouse
from pipelines.resources import MmlensSettings


@dg.asset(
    key="analytics_snapshot",
    group_name="publish",
    kinds={"duckdb"},
    deps=[*MART_KEYS, dg.AssetKey(["reports", "daily_report"])],
    pool=DUCKDB_POOL,
)
def analytics_snapshot(settings: MmlensSettings) -> dg.MaterializeResult:
    """The analyst snapshot `MMLENS_HOME/analytics.duckdb`: every raw and mart table and the views of
    `sql/views/`, copied from the warehouse after the marts and the report succeed, then renamed over
    the previous snapshot so analysts holding it open keep a consistent copy and never block us. By
    default PSIDs and subscription tokens are keyed hashes and raw text is left out
    (`MMLENS_SNAPSHOT_IDENTIFIERS=clear` copies them as landed)."""
    config = settings.load()
    clear = config.snapshot_identifiers == "clear"
    key = None if clear else snapshot_privacy.pseudonym_key(config.home)
    path = warehouse.publish_snapshot(config.warehouse_path, config.snapshot_path, pseudonym_key=key)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": dg.MetadataValue.int(path.stat().st_size),
            "identifiers": dg.MetadataValue.text(config.snapshot_identifiers),
        }
    )
