"""Incremental, manifest-driven loading of the exports into DuckDB.

Grain: webhook lines -> `raw.webhook_events` (one row per distinct event); send-log lines ->
`raw.send_attempts` (one row per distinct attempt). Source: sealed `*.ndjson` and `*.ndjson.gz`
files under `MMLENS_HOME/exports/{webhooks,sends}/` (names starting with `.` or ending in
`.open`/`.tmp` are still being written and are not read).

Every line read is either landed (all its events) or quarantined with its reason in
`raw.ingest_quarantine`; `raw.ingest_manifest` keeps per file the bytes and lines read, so a
re-run reads only new files and bytes appended to a plain `.ndjson` after its last complete line.
Exports are only read, never modified. Files are read in path order and, within a batch, the
first line wins a duplicate key, so replaying the exports into an empty warehouse gives the same
tables. Each batch (events, quarantine rows, manifest progress) commits in one transaction.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.errors import MmlensError
from pipelines.warehouse import sql_text
from pipelines.webhooks.exports import read_chunks, sealed_files
from pipelines.webhooks.parse import EVENT_COLUMNS, LEAN_COLUMNS, BadLine, parse_line, parse_line_lanes
from pipelines.webhooks.sends import ATTEMPT_COLUMNS, parse_send_line

CHUNK_BYTES = 32 * 1024 * 1024
# A line longer than this is quarantined unread: Meta batches at most 1000 updates per POST,
# far below it, and one runaway line must not take the ingestion's memory with it.
MAX_LINE_BYTES = 8 * 1024 * 1024
RAW_TEXT_LIMIT = 64 * 1024

_TS = pl.Datetime("us", "UTC")  # built from integer microseconds since the epoch


@dataclass(frozen=True)
class Source:
    """One kind of export: its folder, line parser, column layout and insert statement."""

    name: str
    parse: Callable[[bytes], list[tuple]]
    columns: tuple[str, ...]
    types: dict[str, pl.DataType]  # columns that are not text
    insert_sql: str
    # Optional lean lane: (lean events, full events) per line, and the statement landing lean ones.
    parse_lanes: Callable[[bytes], tuple[list[tuple], list[tuple]]] | None = None
    lean_insert_sql: str | None = None

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Column types of a parsed batch."""
        names = (*self.columns, "source_file", "source_line")
        return {name: self.types.get(name, pl.Int64 if name == "source_line" else pl.String) for name in names}


def _parse_send(raw: bytes) -> list[tuple]:
    return [parse_send_line(raw)]


WEBHOOKS = Source(
    name="webhooks",
    parse=parse_line,
    columns=tuple("event_ts" if c == "event_ts_us" else c for c in EVENT_COLUMNS),
    types={"event_ts": _TS},
    insert_sql="queries/insert_webhook_events.sql",
    parse_lanes=parse_line_lanes,
    lean_insert_sql="queries/insert_webhook_events_lean.sql",
)
SENDS = Source(
    name="sends",
    parse=_parse_send,
    columns=tuple("ts" if c == "ts_us" else c for c in ATTEMPT_COLUMNS),
    types={"ts": _TS, "http_status": pl.Int32, "success": pl.Boolean, "is_transient": pl.Boolean,
           "error_code": pl.Int64, "error_subcode": pl.Int64, "remaining_seconds": pl.Int64},
    insert_sql="queries/insert_send_attempts.sql",
)
SOURCES = {source.name: source for source in (WEBHOOKS, SENDS)}  # the folders of exports.SOURCES
_LEAN_SCHEMA = {("event_ts" if name == "event_ts_us" else name): (_TS if name == "event_ts_us" else pl.String)
                for name in LEAN_COLUMNS} | {"source_file": pl.String, "source_line": pl.Int64}


class ExportChangedError(MmlensError):
    """An export file shrank after it was ingested."""


@dataclass
class IngestStats:
    """Counts of one ingestion run of one source."""

    files: int = 0
    bytes_read: int = 0
    lines_read: int = 0
    lines_landed: int = 0
    lines_quarantined: int = 0
    rows_new: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.lines_read == self.lines_landed + self.lines_quarantined


def ingest(con: duckdb.DuckDBPyConnection, exports_dir: Path, source: Source, *, chunk_bytes: int = CHUNK_BYTES,
           workers: int = 0) -> IngestStats:
    """Read every new file and new byte of one source into the warehouse.

    Lines are parsed in chunks; with `workers` > 0, chunks are parsed in that many processes while
    this one writes, results in file order. Measured on 2 cores, shipping chunks and frames
    between processes cost more than the parallel parsing saved, so the default is in-process.
    """
    folder = exports_dir / source.name
    manifest = {
        row[0]: row[1:]
        for row in con.execute(sql_text("queries/select_ingest_manifest.sql"), [source.name]).fetchall()
    }
    plan = []
    for path in sealed_files(folder):
        rel = path.relative_to(exports_dir).as_posix()
        size = path.stat().st_size
        offset, lines_before, landed, quarantined, known_size = manifest.get(rel, (0, 0, 0, 0, None))
        if not rel.endswith(".gz") and size < offset:
            # Exports are append-only; a shorter file was rewritten and replaying it would not
            # give the tables we have. Someone has to look at it.
            raise ExportChangedError(f"{rel}: {size} bytes on disk but {offset} already ingested; "
                                     "exports must only grow (move the rewritten file aside)")
        if known_size != size:
            plan.append(_Progress(path, rel, size, offset, lines_before, landed, quarantined))
    stats = IngestStats(files=len(plan))
    with _parser(workers) as parse_all:
        for p, consumed, parsed in parse_all(_jobs(plan, chunk_bytes), source):
            n_lines = parsed.lines
            p.offset += consumed
            p.line_no += n_lines
            p.landed += n_lines - len(parsed.bad)
            p.quarantined += len(parsed.bad)
            stats.lines_read += n_lines
            stats.lines_landed += n_lines - len(parsed.bad)
            stats.lines_quarantined += len(parsed.bad)
            stats.bytes_read += consumed
            for reason, n in parsed.reasons.items():
                stats.quarantine_reasons[reason] = stats.quarantine_reasons.get(reason, 0) + n
            done = not p.gz and p.offset >= p.size
            stats.rows_new += _write_batch(con, source, parsed, (
                source.name, p.rel, p.offset, p.line_no, p.landed, p.quarantined, p.size if done else None))
    for p in plan:
        # A .gz file is immutable once sealed: reading to its end completes it.
        if p.gz or p.offset >= p.size:
            con.execute(sql_text("queries/upsert_ingest_manifest.sql"),
                        [source.name, p.rel, p.offset, p.line_no, p.landed, p.quarantined, p.size])
    return stats


@dataclass
class _Progress:
    """Totals for one file since it was first read (what the manifest row holds)."""

    path: Path
    rel: str
    size: int
    offset: int
    line_no: int
    landed: int
    quarantined: int

    @property
    def gz(self) -> bool:
        return self.rel.endswith(".gz")


@dataclass
class ParsedChunk:
    """One chunk of lines parsed: the events as a frame, the quarantine rows, counts."""

    lines: int
    frame: pl.DataFrame | None
    bad: list[tuple]
    reasons: dict[str, int]
    lean: pl.DataFrame | None = None


def _jobs(plan: list[_Progress], chunk_bytes: int) -> Iterator[tuple[_Progress, int, tuple]]:
    """(file progress, bytes consumed, parse_chunk arguments) for every chunk of every file."""
    for p in plan:
        line_no = p.line_no
        for chunk, consumed in read_chunks(p.path, p.offset, chunk_bytes, p.gz):
            yield p, consumed, (chunk, line_no, p.rel)
            line_no += chunk.count(b"\n") + 1


@contextlib.contextmanager
def _parser(workers: int):
    """A function mapping jobs to (progress, consumed, ParsedChunk) in order, in-process or pooled."""
    if workers <= 0:
        yield lambda jobs, source: ((p, consumed, parse_chunk(*args, source)) for p, consumed, args in jobs)
        return
    # spawn, not fork: the parent holds DuckDB's threads, which a forked child must not inherit.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        def pooled(jobs, source):
            window: deque = deque()
            for p, consumed, args in jobs:
                window.append((p, consumed, pool.submit(parse_chunk, *args, source)))
                if len(window) > workers:  # bounded look-ahead keeps memory flat
                    p0, c0, future = window.popleft()
                    yield p0, c0, future.result()
            while window:
                p0, c0, future = window.popleft()
                yield p0, c0, future.result()

        yield pooled


def parse_chunk(chunk: bytes, line_no: int, rel: str, source: Source) -> ParsedChunk:
    """Parse the lines of `chunk` (joined by newlines), numbered from `line_no` + 1."""
    lines = chunk.split(b"\n")
    # The batch is millions of small objects that are all alive until it is written:
    # the cyclic garbage collector would rescan them over and over for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        rows: list[tuple] = []
        lean_rows: list[tuple] = []
        bad: list[tuple] = []
        reasons: dict[str, int] = {}
        lanes = source.parse_lanes
        parse, append, append_lean = source.parse, rows.append, lean_rows.append
        for raw in lines:
            line_no += 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                if len(raw) > MAX_LINE_BYTES:
                    raise BadLine(f"line too long ({len(raw)} bytes > {MAX_LINE_BYTES})")
                if lanes is None:
                    lean, events = (), parse(raw)
                else:
                    lean, events = lanes(raw)
            except BadLine as error:
                if not raw.strip():
                    error = BadLine("empty line")
                bad.append((source.name, rel, line_no, *_quarantine_text(str(error), raw)))
                reason = str(error).split(":")[0].split(" (")[0]
                reasons[reason] = reasons.get(reason, 0) + 1
                continue
            for event in events:
                append((*event, rel, line_no))
            for event in lean:
                append_lean((*event, rel, line_no))
        frame = pl.DataFrame(rows, schema=source.schema, orient="row") if rows else None
        lean_frame = pl.DataFrame(lean_rows, schema=_LEAN_SCHEMA, orient="row") if lean_rows else None
    finally:
        if gc_was_enabled:
            gc.enable()
    frame, lean_frame = _first_occurrences(source.columns[0], frame, lean_frame)
    return ParsedChunk(len(lines), frame, bad, reasons, lean_frame)


def _first_occurrences(key: str, *frames: pl.DataFrame | None) -> list[pl.DataFrame | None]:
    """Keep one row per key across the frames: its first occurrence (lowest line)."""
    present = [f for f in frames if f is not None]
    keys = pl.concat([f.select(key, "source_line") for f in present]) if present else None
    if keys is None or keys.get_column(key).n_unique() == keys.height:
        return list(frames)
    # A redelivery inside the chunk: only the first occurrence is landed.
    first = keys.group_by(key).agg(pl.col("source_line").min())
    kept = []
    for frame in frames:
        if frame is not None:
            frame = frame.join(first, on=[key, "source_line"], how="semi", maintain_order="left")
            frame = frame.unique(subset=key, keep="first", maintain_order=True)
        kept.append(frame)
    return kept


def _write_batch(con, source: Source, parsed: ParsedChunk, progress: tuple) -> int:
    con.execute("begin transaction")
    try:
        inserted = 0
        bad = parsed.bad
        if parsed.lean is not None:
            con.register("batch", parsed.lean)
            try:
                ((inserted,),) = con.execute(sql_text(source.lean_insert_sql)).fetchall()
            finally:
                con.unregister("batch")
        if parsed.frame is not None:
            con.register("batch", parsed.frame)
            try:
                ((full,),) = con.execute(sql_text(source.insert_sql)).fetchall()
                inserted += full
            finally:
                con.unregister("batch")
        if bad:
            quarantine_batch = pl.DataFrame(bad, schema=_QUARANTINE_SCHEMA, orient="row")
            con.register("quarantine_batch", quarantine_batch)
            try:
                con.execute(sql_text("queries/insert_ingest_quarantine.sql"))
            finally:
                con.unregister("quarantine_batch")
        con.execute(sql_text("queries/upsert_ingest_manifest.sql"), list(progress))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return inserted


_QUARANTINE_SCHEMA = {"source": pl.String, "file": pl.String, "line": pl.Int64, "reason": pl.String,
                      "raw_text": pl.String}


def _quarantine_text(reason: str, raw: bytes) -> tuple[str, str]:
    if len(raw) > RAW_TEXT_LIMIT:
        reason = f"{reason} (raw_text truncated to the first {RAW_TEXT_LIMIT} of {len(raw)} bytes)"
        raw = raw[:RAW_TEXT_LIMIT]
    return reason, raw.decode("utf-8", errors="replace")
