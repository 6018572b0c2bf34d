"""Jobs. `daily_job` materializes everything for a partition range in one run: the Graph pulls
(one async report per account for the whole range), export ingestion, the marts, the report and
the analyst snapshot."""

import dagster as dg

daily_job = dg.define_asset_job(
    "daily_job",
    selection=dg.AssetSelection.all(),
    description="Re-pull the lookback window, ingest new exports, rebuild marts, render the report, publish the snapshot.",
)

ingest_exports_job = dg.define_asset_job(
    "ingest_exports_job",
    selection=dg.AssetSelection.groups("exports"),
    description="Land new webhook and send-log export files (started by exports_sensor).",
)

JOBS: list = [daily_job, ingest_exports_job]
