"""The daily HTML report, rendered from the marts (figure builders and page in `reports/`)."""

import datetime as dt
from pathlib import Path

import dagster as dg

from assets.metadata import DUCKDB_POOL, MART_KEYS, rows_preview
from pipelines import failures
from pipelines.freshness import DAILY_REFRESH
from pipelines.partitions import daily_partitions
from pipelines.resources import MmlensSettings, Warehouse
from reports import metrics
from reports.figures import accounts_label
from reports.frames import ReportFrames, load_frames
from reports.render import render_report
from reports.text import headline_value, signed_percent

_HEADLINE_COLUMNS = {"accounts": "string", "metric": "string", "last 7 days": "string", "previous 7 days": "string",
                     "change": "string"}


def _headline_preview(rows: list[metrics.Headline]) -> dg.TableMetadataValue:
    """The headline cards as a table, labelled like the cards (by account; money in its currency)."""
    return rows_preview(
        [
            {"accounts": accounts_label(row), "metric": row.label, "last 7 days": headline_value(row, row.current),
             "previous 7 days": headline_value(row, row.previous), "change": signed_percent(row.change)}
            for row in rows
        ],
        _HEADLINE_COLUMNS,
    )


@dg.asset(
    key=["reports", "daily_report"],
    group_name="reports",
    kinds={"plotly", "html"},
    freshness_policy=DAILY_REFRESH,
    deps=MART_KEYS,
    partitions_def=daily_partitions,
    # A multi-day run (the lookback) is one step that renders each of its days.
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
)
def daily_report(context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    """The daily report `MMLENS_HOME/reports/<date>.html` (and `latest.html`): one self-contained
    page per partition date, from the six marts over the year ending on that date: headline figures
    against the previous 7 days, daily trends, ROAS by campaign beside Meta's, the delivery funnel,
    what recipients tapped, error codes by category with advice, estimates vs actuals and a campaign
    table. A run over a partition range renders every date of the range (Meta restates the
    lookback), each partition recording its own page; `latest.html` is the newest date's. The
    header shows the last failed run while `reports/last_failure.json` holds one (until a later
    daily run succeeds)."""
    reports_dir = settings.load().reports_dir
    last_failure = failures.read(reports_dir)
    alert = last_failure.notice() if last_failure else ""
    with warehouse.connect(read_only=True) as con:
        for key in context.partition_keys:
            run_date = dt.date.fromisoformat(key)
            frames = load_frames(con, run_date)
            path = render_report(frames, run_date, reports_dir, alert=alert)
            context.log.info(f"report for {key} written to {path}")
            context.add_asset_metadata(_page_metadata(frames, run_date, path), partition_key=key)
    return dg.MaterializeResult(metadata={"latest": dg.MetadataValue.path(str(reports_dir / "latest.html"))})


def _page_metadata(frames: ReportFrames, run_date: dt.date, path: Path) -> dict[str, dg.MetadataValue]:
    """What one partition's page holds: its path and date, campaigns, input rows and headlines."""
    return {
        "path": dg.MetadataValue.path(str(path)),
        "run_date": dg.MetadataValue.text(run_date.isoformat()),
        "dagster/row_count": dg.MetadataValue.int(frames.campaign_daily["message_campaign_id"].n_unique()),
        "input_rows": dg.MetadataValue.int(frames.total_rows),
        "size_bytes": dg.MetadataValue.int(path.stat().st_size),
        "preview": _headline_preview(metrics.headlines(frames.campaign_daily, run_date)),
    }
