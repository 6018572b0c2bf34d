"""The analyst snapshot: `analytics.duckdb`, a consistent copy of the warehouse plus the views."""

from __future__ import annotations

import dagster as dg

from assets.metadata import MART_KEYS
from pipelines import warehouse
from pipelines.resources import MmlensSettings


@dg.asset(
    key="analytics_snapshot",
    group_name="publish",
    kinds={"duckdb"},
    deps=[*MART_KEYS, dg.AssetKey(["reports", "daily_report"])],
    pool="duckdb",
)
def analytics_snapshot(settings: MmlensSettings) -> dg.MaterializeResult:
    """The analyst snapshot `MMLENS_HOME/analytics.duckdb`: every raw and mart table and the views of
    `sql/views/`, copied from the warehouse after the marts and the report succeed, then renamed over
    the previous snapshot so analysts holding it open keep a consistent copy and never block us."""
    config = settings.load()
    path = warehouse.publish_snapshot(config.warehouse_path, config.snapshot_path)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": dg.MetadataValue.int(path.stat().st_size),
        }
    )
