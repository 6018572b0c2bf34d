"""Webhook export chunks -> staged events, in two lanes: DuckDB reads the plain lines, Python the others.

Grain: one event per item of every line of a chunk. Source: chunks of whole export lines.
The lines go to DuckDB as one Arrow column over the chunk's own bytes (no copy);
`sql/queries/webhook_lines_parse.sql` parses them in DuckDB's engine, on every core, and stages the
events of the lines it may land: the common shape (marketing-message delivery items with string or
integer ids and integer timestamps), nothing DuckDB's lenient JSON reader and orjson could read
differently. Every other line goes to the Python parser (`parse.py`), which stages its events or
quarantines it with its reason. Both lanes key events alike (`parse.event_key`).

Staged events land in `raw.webhook_events` in one insert per flush (`flush_staged`): DuckDB writes
one large insert several times faster than many small ones. Staging lives in a temporary table
filled outside the landing transaction (a temporary table filled inside a transaction makes its
commit slow). The Python lane alone (`sql=False`) is the reference: both give the same tables
(`tests/webhooks/test_sql_lane.py`), payloads equal as JSON.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.warehouse import sql_text
from pipelines.webhooks.batches import MAX_LINE_BYTES, WEBHOOKS, ParsedChunk, batch_frame, parse_lines, paused_gc
from pipelines.webhooks.lines import LineChunk

# Arrow record batches of this many lines, so that DuckDB scans a chunk on all its threads.
_BATCH_LINES = 2048


def create_staging(con: duckdb.DuckDBPyConnection) -> None:
    """An empty `webhook_staged` table on this connection."""
    con.execute(sql_text("queries/create_webhook_staged.sql"))


def stage_chunk(con: duckdb.DuckDBPyConnection, chunk: LineChunk, line_no: int, rel: str, file_order: int,
                sql: bool = True) -> ParsedChunk:
    """Stage the events of the lines of `chunk` (numbered from `line_no` + 1, of the export file
    `rel`, the `file_order`-th file read). Returns the chunk's counts and quarantine rows. With
    `sql=False` every line goes to the Python parser."""
    n_lines, first = len(chunk), line_no + 1
    params = {"source_file": rel, "first": first, "last": line_no + n_lines}
    numbers = pa.array(range(first, first + n_lines), pa.int64())
    if sql:
        con.register("webhook_lines", _lines_table(chunk, numbers))
    else:  # no texts: DuckDB reads nothing and every line goes to the parser
        con.register("webhook_lines", pa.table({"line": numbers, "text": pa.nulls(n_lines, pa.large_string())}))
    try:
        ((staged,),) = con.execute(sql_text("queries/webhook_lines_parse.sql"),
                                   {"source_file": rel, "file_order": file_order, "max_line_bytes": MAX_LINE_BYTES}
                                   ).fetchall()
        ((unstaged,),) = con.execute(sql_text("queries/delete_webhook_staged_mixed_lines.sql"), params).fetchall()
        parser_lines = [n for (n,) in con.execute(sql_text("queries/select_webhook_parser_lines.sql"), params)
                        .fetchall()]
    finally:
        con.unregister("webhook_lines")
    with paused_gc():
        rows, parsed = parse_lines(((n, chunk.line(n - first)) for n in parser_lines), rel, WEBHOOKS)
        frame = batch_frame(WEBHOOKS, rows)
    if frame is not None:
        # Position of each event within its line, for first-occurrence order (the SQL lane has its own).
        frame = frame.with_columns(ordinal=pl.int_range(pl.len(), dtype=pl.Int64).over("source_line"))
        con.register("batch", frame)
        try:
            con.execute(sql_text("queries/insert_webhook_staged_parsed.sql"), {"file_order": file_order})
        finally:
            con.unregister("batch")
    # The SQL lane lands whole lines of marketing-message events only.
    parsed.lines = n_lines
    parsed.landed += n_lines - len(parser_lines)
    parsed.events_landed += staged - unstaged
    return parsed


def flush_staged(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the staged events into `raw.webhook_events` (inside the caller's transaction); returns
    how many were new. Call `clear_staged` once that transaction is committed."""
    ((first_us, last_us),) = con.execute(sql_text("queries/select_webhook_staged_time_range.sql")).fetchall()
    if first_us is None:
        return 0
    ((inserted,),) = con.execute(sql_text(WEBHOOKS.insert_sql), {"first_us": first_us, "last_us": last_us}).fetchall()
    return inserted


def clear_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Empty the staging table. It is created afresh: rows deleted from a temporary table keep
    their memory (it is never checkpointed), so staging would grow by a flush each time."""
    create_staging(con)


def _lines_table(chunk: LineChunk, numbers: pa.Array) -> pa.Table:
    """(line, text) for every line of the chunk, the text a view of the chunk's bytes (each line
    still ends in its newline, which JSON reads as whitespace). A chunk that is not UTF-8 is copied
    with its undecodable lines left empty: the parser quarantines those."""
    ends = chunk.bounds.copy()
    ends[-1] = min(ends[-1], len(chunk.data))  # the file's last line may have no newline
    texts = pa.LargeStringArray.from_buffers(len(chunk), pa.array(ends, pa.int64()).buffers()[1],
                                             pa.py_buffer(chunk.data))
    try:
        texts.validate(full=True)
    except pa.ArrowInvalid:
        texts = pa.array([_decoded(chunk.line(i)) for i in range(len(chunk))], pa.large_string())
    table = pa.table({"line": numbers, "text": texts})
    return pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_LINES), table.schema)


def _decoded(line: bytes) -> str:
    try:
        return line.decode()
    except UnicodeDecodeError:
        return ""
