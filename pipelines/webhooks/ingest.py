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
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.errors import MmlensError
from pipelines.warehouse import sql_text
from pipelines.webhooks.batches import (  # noqa: F401 (the limits are re-exported)
    MAX_LINE_BYTES,
    QUARANTINE_SCHEMA,
    RAW_TEXT_LIMIT,
    SENDS,
    WEBHOOKS,
    ParsedChunk,
    Source,
    parse_chunk,
)
from pipelines.webhooks.exports import read_chunks, sealed_files
from pipelines.webhooks.sql_path import parse_chunk_sql

CHUNK_BYTES = 32 * 1024 * 1024
# Parse webhook chunks in DuckDB (sql_path) rather than line by line in Python.
SQL_PARSING = False

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
           workers: int = 0, sql: bool | None = None) -> IngestStats:
    """Read every new file and new byte of one source into the warehouse.

    Lines are parsed in chunks; with `workers` > 0, chunks are parsed in that many processes while
    this one writes, results in file order. Measured on 2 cores, shipping chunks and frames
    between processes cost more than the parallel parsing saved, so the default is in-process.
    With `sql` (default `SQL_PARSING`), webhook chunks are parsed in-process by DuckDB
    (`sql_path.parse_chunk_sql`: same rows, plain lines in SQL, the others by the parser).
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
    use_sql = (SQL_PARSING if sql is None else sql) and source.parse_lanes is not None
    with _parser(workers, con if use_sql else None) as parse_all:
        for p, consumed, parsed in parse_all(_jobs(plan, chunk_bytes), source):
            n_lines = parsed.lines
            p.offset += consumed
            p.line_no += n_lines
            p.landed += parsed.landed
            p.quarantined += len(parsed.bad)
            stats.lines_read += n_lines
            stats.lines_landed += parsed.landed
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


def _jobs(plan: list[_Progress], chunk_bytes: int) -> Iterator[tuple[_Progress, int, tuple]]:
    """(file progress, bytes consumed, parse_chunk arguments) for every chunk of every file."""
    for p in plan:
        line_no = p.line_no
        for chunk, consumed in read_chunks(p.path, p.offset, chunk_bytes, p.gz):
            yield p, consumed, (chunk, line_no, p.rel)
            line_no += chunk.count(b"\n") + 1


@contextlib.contextmanager
def _parser(workers: int, sql_con: duckdb.DuckDBPyConnection | None = None):
    """A function mapping jobs to (progress, consumed, ParsedChunk) in order: in DuckDB on `sql_con`,
    in-process or pooled."""
    if sql_con is not None:
        yield lambda jobs, source: ((p, consumed, parse_chunk_sql(sql_con, *args, source))
                                    for p, consumed, args in jobs)
        return
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
            quarantine_batch = pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")
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
