"""Incremental, manifest-driven loading of the exports into DuckDB.

Grain: webhook lines -> `raw.webhook_events` (one row per distinct event); send-log lines ->
`raw.send_attempts` (one row per distinct attempt). Source: sealed `*.ndjson` and `*.ndjson.gz`
files under `MMLENS_HOME/exports/{webhooks,sends}/` (names starting with `.` or ending in
`.open`/`.tmp` are still being written and are not read).

The event is the unit, not the line. Every line read is either read whole or quarantined with
its reason in `raw.ingest_quarantine` (item 0); every item of a line read whole is landed (a
marketing-message event or send attempt, in its table), kept (a standard Messenger event or a
campaign webhook, in `raw.messenger_events` / `raw.campaign_changes`) or quarantined on its own
(item n). `raw.ingest_manifest` keeps per file the bytes, lines and events read, with
events read = landed + kept + quarantined (a line quarantined whole counts as one event), so a
re-run reads only new files and bytes appended to a plain `.ndjson` after its last complete line.
A damaged `.gz` lands the lines before the damage; its unreadable rest counts as one more line,
quarantined with the reason, and the file is complete (a sealed .gz never changes).
A run of consecutive empty or too long lines (`lines.py`; a line past MAX_LINE_BYTES is never held
whole) is one quarantine row at its first line, standing for all its lines: each counts as a line
and an event quarantined. A file that is not read (a symlink leaving the exports folder, a name
that is not UTF-8: `exports.listed_files`) is one quarantine row at line 0, counted as one line
and one event quarantined, and complete.
Exports are only read, never modified. Files are read in path order and, within a batch, the
first line wins a duplicate key, so replaying the exports into an empty warehouse gives the same
tables. Each batch (events, quarantine rows, manifest progress) commits in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.errors import MmlensError
from pipelines.warehouse import sql_text
from pipelines.webhooks import sql_lane
from pipelines.webhooks.batches import (  # noqa: F401 (the limits are re-exported)
    CHANGES_SCHEMA,
    MAX_LINE_BYTES,
    MESSENGER_SCHEMA,
    QUARANTINE_SCHEMA,
    RAW_TEXT_LIMIT,
    SENDS,
    WEBHOOKS,
    ParsedChunk,
    Source,
    parse_chunk,
    quarantine_text,
    reason_key,
    skipped_lines,
)
from pipelines.webhooks.exports import listed_files, read_chunks, stored_name
from pipelines.webhooks.ingest_memory import memory_capped
from pipelines.webhooks.lines import LineChunk, SkippedLines

CHUNK_BYTES = 64 * 1024 * 1024
# Webhook chunks are staged and land together once this much input is staged (about 1M events):
# DuckDB writes one large insert several times faster than many small ones, and this bounds memory.
FLUSH_BYTES = 384 * 1024 * 1024
# A long load reports its counts after a landing at most this often (a 5M-event backlog took
# 17-18 s to land in the benchmark).
PROGRESS_SECONDS = 5.0

class ExportChangedError(MmlensError):
    """An export file shrank after it was ingested."""


@dataclass(kw_only=True)
class EventCounts:
    """Events read = landed + kept + quarantined (a line quarantined whole counts as one)."""

    events_read: int = 0
    events_landed: int = 0
    events_kept: int = 0
    events_quarantined: int = 0

    def count_events(self, parsed: ParsedChunk) -> None:
        self.events_read += parsed.events_read
        self.events_landed += parsed.events_landed
        self.events_kept += len(parsed.kept)
        self.events_quarantined += parsed.events_quarantined


@dataclass
class IngestStats(EventCounts):
    """Counts of one ingestion run of one source."""

    files: int = 0
    bytes_read: int = 0
    lines_read: int = 0
    lines_landed: int = 0
    lines_quarantined: int = 0
    rows_new: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)

    def count(self, parsed: ParsedChunk, consumed: int) -> None:
        """Add one unit read, of `consumed` bytes."""
        self.lines_read += parsed.lines
        self.lines_landed += parsed.landed
        self.lines_quarantined += parsed.lines_quarantined
        self.count_events(parsed)
        self.bytes_read += consumed
        for reason, n in parsed.reasons.items():
            self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + n

    @property
    def balanced(self) -> bool:
        """Every line read whole or quarantined, every event read landed, kept or quarantined."""
        return (self.lines_read == self.lines_landed + self.lines_quarantined
                and self.events_read == self.events_landed + self.events_kept + self.events_quarantined)


def ingest(con: duckdb.DuckDBPyConnection, exports_dir: Path, source: Source, *, chunk_bytes: int = CHUNK_BYTES,
           sql: bool = True, on_progress: Callable[[IngestStats], None] | None = None,
           select: Callable[[str], bool] | None = None) -> IngestStats:
    """Read every new file and new byte of one source into the warehouse.

    Lines are read in chunks of about `chunk_bytes`. Webhook chunks are staged by
    `sql_lane.stage_chunk` (DuckDB parses the plain lines, the Python parser the others;
    `sql=False` sends every line to the parser) and land together once FLUSH_BYTES of input are
    staged; send-log chunks are parsed in Python and land one by one. A landing commits the
    events, the quarantine rows and the manifest progress in one transaction. `on_progress` gets
    the counts so far after a landing, at most every PROGRESS_SECONDS. `select`, given a file's
    name relative to `exports_dir`, keeps only the files it returns true for (a lake ingestion
    shard's, `pipelines/lake/shards.py`); without it every file is read.
    """
    folder = exports_dir / source.name
    manifest = {
        row[0]: row[1:]
        for row in con.execute(sql_text("queries/select_ingest_manifest.sql"), [source.name]).fetchall()
    }
    plan: list[_Progress] = []
    refused: list = []
    for path, why in listed_files(folder, exports_dir):
        rel = stored_name(path.relative_to(exports_dir).as_posix())
        if select is not None and not select(rel):
            continue
        if why is not None:
            if rel not in manifest:
                refused.append((rel, path.lstat().st_size, why))
            continue
        size = path.stat().st_size
        (offset, lines_before, landed, quarantined, known_size,
         read, landed_events, kept, quarantined_events) = manifest.get(rel, (0, 0, 0, 0, None, 0, 0, 0, 0))
        if not rel.endswith(".gz") and size < offset:
            # Exports are append-only; a shorter file was rewritten and replaying it would not
            # give the tables we have. Someone has to look at it.
            raise ExportChangedError(f"{rel}: {size} bytes on disk but {offset} already ingested; "
                                     "exports must only grow (move the rewritten file aside)")
        if rel.endswith(".gz") and known_size is not None and size != known_size:
            # A sealed .gz never changes: this one was rewritten, or was still being copied when
            # it was read (and its cut-off end quarantined as damage).
            raise ExportChangedError(f"{rel}: {size} bytes on disk but {known_size} when it was read to its end; "
                                     "a sealed .gz must not change (move the rewritten file aside)")
        if known_size != size:
            plan.append(_Progress(path, rel, size, offset, lines_before, landed, quarantined, len(plan),
                                  events_read=read, events_landed=landed_events, events_kept=kept,
                                  events_quarantined=quarantined_events))
    stats = IngestStats(files=len(plan) + len(refused))
    for rel, size, why in refused:
        _refuse(con, source, rel, size, why, stats)
    if not plan:
        return stats
    with memory_capped(con):
        _ingest_files(con, source, plan, chunk_bytes, sql, stats, on_progress)
        # Write the new rows into the database file now, under the cap: left to the connection's
        # close, that checkpoint runs under DuckDB's own limit and took 5M events to 3 GB.
        con.execute("checkpoint")
    return stats


def _ingest_files(con, source: Source, plan: list[_Progress], chunk_bytes: int, sql: bool, stats: IngestStats,
                  on_progress: Callable[[IngestStats], None] | None) -> None:
    reported = time.monotonic()
    if source is WEBHOOKS:
        sql_lane.create_staging(con)
    pending: list[tuple[ParsedChunk, tuple]] = []  # chunks read but not landed yet, with their manifest rows
    pending_bytes = 0
    for p, chunk in _chunks(plan, chunk_bytes):
        # Lines are numbered on from the file's last line read (p.line_no counts every chunk so far).
        unreadable = chunk.unreadable if isinstance(chunk, LineChunk) else None
        if isinstance(chunk, SkippedLines):
            parsed = skipped_lines(chunk, p.line_no, p.rel, source)
        elif source is WEBHOOKS:
            parsed = sql_lane.stage_chunk(con, chunk, p.line_no, p.rel, p.order, sql)
        else:
            parsed = parse_chunk(chunk, p.line_no, p.rel, source)
        if unreadable:
            _quarantine_damage(parsed, source, p.rel, p.line_no + parsed.lines + 1, chunk)  # type: ignore[arg-type]
        p.offset += chunk.consumed
        p.count(parsed)
        # A damaged .gz is complete once its damage is quarantined, in the same transaction.
        done = p.recorded = (not p.gz and p.offset >= p.size) or unreadable is not None
        pending.append((parsed, p.manifest_row(source, done)))
        pending_bytes += chunk.consumed
        stats.count(parsed, chunk.consumed)
        if source is not WEBHOOKS or pending_bytes >= FLUSH_BYTES:
            stats.rows_new += _land(con, source, pending)
            pending, pending_bytes = [], 0
            if on_progress and time.monotonic() - reported >= PROGRESS_SECONDS:
                on_progress(stats)
                reported = time.monotonic()
    if pending:
        stats.rows_new += _land(con, source, pending)
    for p in plan:
        # A .gz file is immutable once sealed: reading to its end completes it. An empty file had no chunk.
        if not p.recorded and (p.gz or p.offset >= p.size):
            con.execute(sql_text("queries/upsert_ingest_manifest.sql"), list(p.manifest_row(source, True)))


def _refuse(con, source: Source, rel: str, size: int, why: str, stats: IngestStats) -> None:
    """A file that is not read (`exports.listed_files` says why) counts as one line, quarantined at
    line 0 (the file as a whole) with the reason, and is complete at its size: later runs skip it."""
    parsed = ParsedChunk(1, 0, None, [(source.name, rel, 0, 0, why, None)], {reason_key(why): 1})
    con.execute("begin transaction")
    try:
        _finish_chunk(con, parsed, (source.name, rel, 0, 1, 0, 1, size, 1, 0, 0, 1))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    stats.count(parsed, 0)


def _quarantine_damage(parsed: ParsedChunk, source: Source, rel: str, line_no: int, chunk: LineChunk) -> None:
    """The unreadable rest of a damaged .gz file counts as one more line, quarantined with the
    reason and the start of the line the damage cut short. The file is then complete: a sealed
    .gz never changes, so reading it again would find the same damage."""
    why = f"damaged .gz file ({chunk.unreadable}): nothing after line {line_no - 1} can be read"
    parsed.bad.append((source.name, rel, line_no, 0, *quarantine_text(why, bytes(chunk.data))))
    parsed.reasons[reason_key(why)] = parsed.reasons.get(reason_key(why), 0) + 1
    parsed.lines += 1


@dataclass
class _Progress(EventCounts):
    """Totals for one file since it was first read (what the manifest row holds)."""

    path: Path
    rel: str
    size: int
    offset: int
    line_no: int
    landed: int
    quarantined: int
    order: int  # place in the reading order (path order)
    recorded: bool = False  # its manifest row already holds its size (a chunk read it to the end)

    @property
    def gz(self) -> bool:
        return self.rel.endswith(".gz")

    def count(self, parsed: ParsedChunk) -> None:
        self.line_no += parsed.lines
        self.landed += parsed.landed
        self.quarantined += parsed.lines_quarantined
        self.count_events(parsed)

    def manifest_row(self, source: Source, done: bool) -> tuple:
        """The file's row of raw.ingest_manifest (`upsert_ingest_manifest.sql` order)."""
        return (source.name, self.rel, self.offset, self.line_no, self.landed, self.quarantined,
                self.size if done else None, self.events_read, self.events_landed, self.events_kept,
                self.events_quarantined)


def _chunks(plan: list[_Progress], chunk_bytes: int) -> Iterator[tuple[_Progress, LineChunk | SkippedLines]]:
    """(file progress, unit of lines) for every unit of every file."""
    for p in plan:
        for chunk in read_chunks(p.path, p.offset, chunk_bytes, p.gz):
            yield p, chunk


def _land(con, source: Source, pending: list[tuple[ParsedChunk, tuple]]) -> int:
    """Land the chunks read since the last landing in one transaction: their rows (webhook events
    from the staging table, send attempts from each chunk's frame), their quarantine rows and the
    manifest progress. Returns the rows inserted."""
    inserted = 0
    con.execute("begin transaction")
    try:
        if source is WEBHOOKS:
            inserted = sql_lane.flush_staged(con)
        for parsed, progress in pending:
            if parsed.frame is not None:
                # Unregistered on success only, here and below: after a failed statement DuckDB refuses
                # to unregister in the aborted transaction, and that error would hide the statement's;
                # the rollback drops what was registered in it.
                con.register("batch", parsed.frame)
                ((rows,),) = con.execute(sql_text(source.insert_sql)).fetchall()
                inserted += rows
                con.unregister("batch")
            _land_kept(con, parsed)
            _finish_chunk(con, parsed, progress)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        if source is WEBHOOKS:
            sql_lane.clear_staged(con)
    return inserted


def _land_kept(con, parsed: ParsedChunk) -> None:
    """Standard Messenger events and campaign changes of one chunk, in their tables."""
    for rows, schema, name, sql in (
        (parsed.kept.messenger, MESSENGER_SCHEMA, "messenger_batch", "queries/insert_messenger_events.sql"),
        (parsed.kept.changes, CHANGES_SCHEMA, "changes_batch", "queries/insert_campaign_changes.sql"),
    ):
        if rows:
            con.register(name, pl.DataFrame(rows, schema=schema, orient="row"))
            con.execute(sql_text(sql))
            con.unregister(name)


def _finish_chunk(con, parsed: ParsedChunk, progress: tuple) -> None:
    """Quarantine rows and manifest progress of one chunk (inside its transaction)."""
    if parsed.bad:
        quarantine_batch = pl.DataFrame(parsed.bad, schema=QUARANTINE_SCHEMA, orient="row")
        con.register("quarantine_batch", quarantine_batch)
        con.execute(sql_text("queries/insert_ingest_quarantine.sql"))
        con.unregister("quarantine_batch")
    con.execute(sql_text("queries/upsert_ingest_manifest.sql"), list(progress))
