"""Probe: how fast could a lane built on pyarrow's JSON reader land the benchmark's webhook lines?

Not a lane: the least such a lane would have to do, timed against `bench/webhook_ingest.py`'s
variants on the same files (`--variants mmlens,duckdb,arrow-floor,arrow-bodies`). Each 64 MiB chunk
of whole lines (the ingestion's own reader) goes to `pyarrow.json.read_json` with an explicit
schema (the benchmark's shape: ids as JSON numbers where the generator writes numbers) and
`unexpected_field_behavior="error"`; its nested lists are flattened with Arrow compute into one
row per change event; DuckDB computes the ids as text, the timestamp and the event key from that
Arrow table, stages them and lands them with the ingestion's own deduplicating insert.
- arrow-floor: no payload at all (the column left NULL) and no fallback for blocks pyarrow
  refuses (none in these files) -- a lower bound for any lane on this reader;
- arrow-payload: arrow-floor plus a payload per event rendered from the typed struct (`to_json`,
  what DuckDB alone stores: ids as typed, keys in the schema's order, absent keys as null -- not the
  event as sent, and nothing checks it);
- arrow-bodies: arrow-floor plus each POST body stored once (zstd), the issue's "body once and each
  event's position in it" instead of a payload per event.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

_VALUE = pa.struct([("recipient_id", pa.int64()), ("page_id", pa.int64()), ("app_id", pa.int64()),
                    ("timestamp", pa.int64()), ("mid", pa.string()), ("marketing_message_tracking_id", pa.string()),
                    ("messenger_subscription_token", pa.string()), ("message_id", pa.string()),
                    ("error_message", pa.string()), ("business_id", pa.string())])
_ENTRY = pa.struct([("id", pa.string()), ("time", pa.int64()),
                    ("changes", pa.list_(pa.struct([("field", pa.string()), ("value", _VALUE)])))])
SCHEMA = pa.schema([("object", pa.string()), ("entry", pa.list_(_ENTRY))])

STAGE_SQL = """
insert into webhook_staged
select md5(concat(event_type, chr(31), page_id, chr(31), message_campaign_id, chr(31), recipient_id, chr(31),
        subscription_token, chr(31), tracking_id, chr(31), mid, chr(31), app_id, chr(31), business_id, chr(31),
        event_ts_us, chr(31), coalesce('m' || error_message, 'n'))),
    event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id,
    business_id, event_ts_us, error_message, {payload}, $source_file, $file_order, line, ordinal, true
from (
    select line, ordinal,
        case field when 'marketing_message_echoes' then 'echo' when 'marketing_message_deliveries' then 'delivery'
            when 'marketing_message_reads' then 'read' when 'marketing_message_clicks' then 'click'
            when 'marketing_message_delivery_failed' then 'delivery_failed' end as event_type,
        coalesce(nullif(page_id::varchar, ''), nullif(entry_page, '')) as page_id,
        nullif(message_id, '') as message_campaign_id,
        nullif(nullif(recipient_id::varchar, ''), '0') as recipient_id,
        nullif(messenger_subscription_token, '') as subscription_token,
        nullif(marketing_message_tracking_id, '') as tracking_id, nullif(mid, '') as mid,
        nullif(app_id::varchar, '') as app_id, nullif(business_id, '') as business_id,
        case when "timestamp" between 0 and 253402300799 then "timestamp" * 1000000
            when "timestamp" between 0 and 253402300799000 then "timestamp" * 1000 end as event_ts_us,
        error_message, value
    from arrow_events
)
"""


def _positions(lists: pa.ListArray) -> tuple[pa.Array, pa.Array]:
    """(parent row, index within the parent's list) of every value of `lists`."""
    parents = pc.list_parent_indices(lists)
    starts = pc.take(lists.offsets, parents)
    index = pc.subtract(pa.array(range(len(parents)), pa.int64()), pc.cast(starts, pa.int64()))
    return parents, index


def events_table(chunk_data, first_line: int) -> pa.Table:
    """One row per change event of the chunk's lines (pyarrow parses them; raises on a block it refuses)."""
    table = pj.read_json(pa.BufferReader(pa.py_buffer(chunk_data)),
                         read_options=pj.ReadOptions(use_threads=True, block_size=4 * 1024 * 1024),
                         parse_options=pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error"))
    entry = table.column("entry").combine_chunks()
    entry_line, entry_no = _positions(entry)
    entries = pc.list_flatten(entry)
    changes = entries.field("changes")
    item_entry, item_no = _positions(changes)
    items = pc.list_flatten(changes)
    value = items.field("value")
    columns = {"line": pc.add(pc.take(entry_line, item_entry), first_line),
               "ordinal": pc.add(pc.multiply(pc.take(entry_no, item_entry), 1_000_000), pc.add(item_no, 1)),
               "field": items.field("field"), "entry_page": pc.take(entries.field("id"), item_entry)}
    columns.update({name: value.field(name) for name in _VALUE.names})
    columns["value"] = value
    return pa.table(columns)


def run(exports: Path, db: Path, bodies: bool, payload: bool = False) -> dict:
    """Land every benchmark file the probe's way; returns rows landed and lines read."""
    from pipelines import warehouse
    from pipelines.webhooks import sql_lane
    from pipelines.webhooks.exports import read_chunks
    from pipelines.webhooks.ingest_memory import memory_capped

    stage_sql = STAGE_SQL.format(payload="to_json(value)" if payload else "null")
    rows = lines = staged_bytes = 0
    with warehouse.connect(db) as con, memory_capped(con):
        if bodies:
            con.execute("create table raw.webhook_bodies (source_file text, source_line bigint, "
                        "body json using compression zstd)")
        sql_lane.create_staging(con)
        for order, path in enumerate(sorted((exports / "webhooks").glob("*.ndjson"))):
            rel, line_no = f"webhooks/{path.name}", 0
            for chunk in read_chunks(path, 0, 64 * 1024 * 1024, False):
                con.register("arrow_events", events_table(chunk.data, line_no + 1))
                con.execute(stage_sql, {"source_file": rel, "file_order": order})
                con.unregister("arrow_events")
                if bodies:
                    numbers = pa.array(range(line_no + 1, line_no + len(chunk) + 1), pa.int64())
                    con.register("bodies", sql_lane._lines_table(chunk, numbers))
                    con.execute("insert into raw.webhook_bodies select ?, line, text from bodies", [rel])
                    con.unregister("bodies")
                line_no += len(chunk)
                staged_bytes += chunk.consumed
                if staged_bytes >= 384 * 1024 * 1024:  # the ingestion's FLUSH_BYTES
                    rows += _flush(con)
                    staged_bytes = 0
            lines += line_no
        rows += _flush(con)
        con.execute("checkpoint")
        ((count,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    return {"rows": count, "lines": lines, "quarantined": 0}


def _flush(con) -> int:
    from pipelines.webhooks import sql_lane

    con.execute("begin transaction")
    inserted = sql_lane.flush_staged(con)
    con.execute("commit")
    sql_lane.clear_staged(con)
    return inserted
