"""Webhook export chunks -> batches with the per-line work done in DuckDB's vectorized engine.

Grain and result are those of `batches.parse_chunk` (the Python parser), row for row: the lines
of a chunk go to DuckDB as one Arrow column; `sql/queries/webhook_plain_events.sql` turns the
plain lines (every event of the shape the parser's lean lane takes, nothing DuckDB's JSON reader
and orjson could read differently) into typed events with the parser's ids, timestamps and
sorted-key payload. Only the event key (blake2b of type and payload, the parser's key) is
computed here. Every other line — bad JSON, other envelopes, big ids, escapes, anything the SQL
cannot decide — goes to the Python parser, which lands or quarantines it with its reason.

Caveat: a chunk that is not valid UTF-8 as a whole is parsed by Python entirely.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.warehouse import sql_text
from pipelines.webhooks.batches import (
    MAX_LINE_BYTES,
    TS,
    ParsedChunk,
    Source,
    batch_frames,
    first_occurrences,
    parse_chunk,
    parse_lines,
    paused_gc,
)
from pipelines.webhooks.parse import event_key

_PLAIN_SQL = "queries/webhook_plain_events.sql"
_BATCH_LINES = 2048


def parse_chunk_sql(con: duckdb.DuckDBPyConnection, chunk: bytes, line_no: int, rel: str,
                    source: Source) -> ParsedChunk:
    """Like `parse_chunk(chunk, line_no, rel, source)`, plain lines parsed by DuckDB on `con`."""
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return parse_chunk(chunk, line_no, rel, source)
    # One Arrow column of the lines, split in C; line numbers from line_no + 1.
    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    table = pa.table({"line_no": pa.array(range(line_no + 1, line_no + 1 + len(lines)), pa.int64()),
                      "line": lines})
    # Lines too long to read stay with the parser, which quarantines them. Small record batches
    # let DuckDB scan the lines on all its threads.
    table = table.filter(pc.less_equal(pc.binary_length(lines), MAX_LINE_BYTES))
    table = pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_LINES), table.schema)
    con.register("lines", table)
    try:
        # No bound parameter: a prepared statement runs this query at less than half the speed.
        items = con.sql(sql_text(_PLAIN_SQL)).pl()
    finally:
        con.unregister("lines")
    # A line is landed from the SQL only when every one of its items is plain and the items account
    # for every byte of it; the rest go to the parser.
    whole = (pl.col("plain").all() & (pl.col("item_len").sum() == pl.col("line_len").first())
             & pl.col("item_len").is_not_null().all())
    plain = items.filter(whole.over("line_no")).sort("line_no", "entry_no", "item_no")
    done = set(plain.get_column("line_no").unique().to_list())
    raw_lines = chunk.split(b"\n")
    first = line_no + 1
    others = ((n, raw_lines[n - first]) for n in range(first, first + len(raw_lines)) if n not in done)
    with paused_gc():
        rows, lean_rows, bad, reasons, landed = parse_lines(others, rel, source)
        frame, lean_frame = batch_frames(source, rows, lean_rows)
    events = _keyed(plain, rel, source) if plain.height else None
    if events is not None:
        frame = events if frame is None else pl.concat([events, frame]).sort("source_line", maintain_order=True)
    frame, lean_frame = first_occurrences(source.columns[0], frame, lean_frame)
    return ParsedChunk(len(raw_lines), len(done) + landed, frame, bad, reasons, lean_frame)


def _keyed(plain: pl.DataFrame, rel: str, source: Source) -> pl.DataFrame:
    """The SQL's events with the parser's event key and the source columns, in the parser's layout."""
    keys = [event_key(kind, payload.encode()) for kind, payload in plain.select("event_type", "payload").iter_rows()]
    return plain.with_columns(
        pl.Series(source.columns[0], keys, pl.String),
        pl.col("event_ts").dt.convert_time_zone("UTC").cast(TS),
        pl.lit(rel, pl.String).alias("source_file"),
        pl.col("line_no").alias("source_line"),
    ).select(list(source.schema))
