"""Raw webhook events and Send API attempts, landed from the exports (thin: the work is in
`pipelines/webhooks/ingest.py`)."""

import dagster as dg

from assets.metadata import DUCKDB_POOL, table_preview
from pipelines.resources import MmlensSettings, Warehouse
from pipelines.warehouse import sql_text
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, IngestStats, Source, ingest

EVENTS_ACCOUNTED_CHECK = "events_accounted_for"

_PREVIEW_SQL = {
    "webhooks": "queries/preview_webhook_events.sql",
    "sends": "queries/preview_send_attempts.sql",
}


def _materialize(source: Source, table: str, settings: MmlensSettings, warehouse: Warehouse,
                 context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    config = settings.load()
    with warehouse.connect() as con:
        stats: IngestStats = ingest(con, config.exports_dir, source, on_progress=lambda so_far: context.log.info(
            f"{source.name}: {so_far.lines_read:,} lines ({so_far.bytes_read / 1e6:,.0f} MB) read so far, "
            f"{so_far.rows_new:,} new rows"))
        ((rows,),) = con.execute(sql_text(f"queries/count_{table}.sql")).fetchall()
        ((messenger_rows, change_rows),) = con.execute(sql_text("queries/count_kept_events.sql")).fetchall()
        unbalanced = con.execute(sql_text("queries/select_unbalanced_manifest_files.sql"), [source.name]).fetchall()
        preview = con.sql(sql_text(_PREVIEW_SQL[source.name])).pl()
    context.log.info(
        f"{source.name}: {stats.files} file(s), {stats.lines_read} lines read ({stats.lines_quarantined} quarantined "
        f"whole), {stats.events_read} events read: {stats.events_landed} landed, {stats.events_kept} kept, "
        f"{stats.events_quarantined} quarantined; {stats.rows_new} new rows"
    )
    if not stats.balanced:
        # Cannot happen unless the ingester has a bug; refuse to report a success that loses events.
        raise dg.Failure(f"{source.name}: events read {stats.events_read} != landed + kept + quarantined "
                         f"({stats.events_landed} + {stats.events_kept} + {stats.events_quarantined})")
    reasons = "\n".join(f"- {reason}: {n}" for reason, n in sorted(stats.quarantine_reasons.items())) or "none"
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(rows),
            "files_read": dg.MetadataValue.int(stats.files),
            "bytes_read": dg.MetadataValue.int(stats.bytes_read),
            "lines_read": dg.MetadataValue.int(stats.lines_read),
            "lines_landed": dg.MetadataValue.int(stats.lines_landed),
            "lines_quarantined": dg.MetadataValue.int(stats.lines_quarantined),
            "events_read": dg.MetadataValue.int(stats.events_read),
            "events_landed": dg.MetadataValue.int(stats.events_landed),
            "events_kept": dg.MetadataValue.int(stats.events_kept),
            "events_quarantined": dg.MetadataValue.int(stats.events_quarantined),
            "rows_new": dg.MetadataValue.int(stats.rows_new),
            **({"messenger_events_rows": dg.MetadataValue.int(messenger_rows),
                "campaign_changes_rows": dg.MetadataValue.int(change_rows)} if source is WEBHOOKS else {}),
            "quarantine_reasons": dg.MetadataValue.md(reasons),
            "preview": table_preview(preview),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=EVENTS_ACCOUNTED_CHECK,
                passed=stats.balanced and not unbalanced,
                metadata={"events_read": stats.events_read,
                          "landed_plus_kept_plus_quarantined":
                              stats.events_landed + stats.events_kept + stats.events_quarantined,
                          "files_not_adding_up": dg.MetadataValue.json([row[0] for row in unbalanced])},
            )
        ],
    )


def _check_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        EVENTS_ACCOUNTED_CHECK,
        asset=key,
        blocking=True,
        description="Every event read was landed, kept or quarantined, in this run and in every file ever read "
                    "(per file in raw.ingest_manifest: events read = landed + kept + quarantined, and lines read = "
                    "read whole + quarantined whole).",
    )


WEBHOOK_EVENTS_KEY = dg.AssetKey(["raw", "webhook_events"])
SEND_ATTEMPTS_KEY = dg.AssetKey(["raw", "send_attempts"])


@dg.asset(
    key=WEBHOOK_EVENTS_KEY,
    group_name="exports",
    kinds={"duckdb", "python"},
    pool=DUCKDB_POOL,
    check_specs=[_check_spec(WEBHOOK_EVENTS_KEY)],
)
def webhook_events(context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per distinct marketing-message webhook event (echo, delivery, read, click,
    delivery_failed, subscriber_upload_status), from the receiver's and any other sealed exports in
    `MMLENS_HOME/exports/webhooks/` (NDJSON or .ndjson.gz, one POST body per line). The same POSTs'
    standard Messenger events (messages and quick replies, deliveries, reads, postbacks, opt-ins,
    referrals, ...) are kept in raw.messenger_events and campaign webhooks in raw.campaign_changes.
    Reads only new files and bytes (raw.ingest_manifest); redeliveries land once; an item it cannot
    understand goes to raw.ingest_quarantine on its own with the reason, its siblings land; a line
    that is not a readable body is quarantined whole. Timestamps are UTC."""
    return _materialize(WEBHOOKS, "webhook_events", settings, warehouse, context)


@dg.asset(
    key=SEND_ATTEMPTS_KEY,
    group_name="exports",
    kinds={"duckdb", "python"},
    pool=DUCKDB_POOL,
    check_specs=[_check_spec(SEND_ATTEMPTS_KEY)],
)
def send_attempts(context: dg.AssetExecutionContext, settings: MmlensSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per Send API attempt from the sender's logs in `MMLENS_HOME/exports/sends/`, with the
    tracking id of accepted sends and the parsed error (code, subcode, type, message, is_transient,
    error_data.remaining_seconds) of rejected ones. Reads only new files and bytes; bad lines go to
    raw.ingest_quarantine."""
    return _materialize(SENDS, "send_attempts", settings, warehouse, context)
