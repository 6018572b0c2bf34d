"""Export lines -> batches: the two export sources and how a chunk of lines becomes frames.

`parse_lines` is a pure function: every line either yields its items — events for the source's
table, standard Messenger events and campaign changes kept in theirs, and one quarantine row per
item that cannot be read — or, when it cannot be read as a whole, one quarantine row with the
reason; a line longer than MAX_LINE_BYTES is not parsed at all. `skipped_lines` quarantines a
run of empty or too long lines found by the reader (`lines.py`) as one row that stands for them
all. `parse_chunk` makes a chunk of send-log lines one frame, each key kept once, at its first
occurrence. Webhook chunks
are read by `sql_lane.py`, which uses `parse_lines` for the lines DuckDB does not land.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl

from pipelines.transforms.frames import Schema
from pipelines.webhooks.lines import EMPTY, MAX_LINE_BYTES, RAW_TEXT_LIMIT, LineChunk, SkippedLines
from pipelines.webhooks.messenger import CHANGE_COLUMNS, MESSENGER_COLUMNS
from pipelines.webhooks.parse import EVENT_COLUMNS, BadLine, Extras, parse_line
from pipelines.webhooks.sends import ATTEMPT_COLUMNS, parse_send_line

TS = pl.Datetime("us", "UTC")  # built from integer microseconds since the epoch


@dataclass(frozen=True)
class Source:
    """One kind of export: its folder, line parser, column layout and insert statement."""

    name: str
    parse: Callable[[bytes], tuple[list[tuple], Extras | None]]
    columns: tuple[str, ...]
    types: Schema  # columns that are not text
    insert_sql: str

    @property
    def schema(self) -> Schema:
        """Column types of a parsed batch."""
        names = (*self.columns, "source_file", "source_line")
        return {name: self.types.get(name, pl.Int64 if name == "source_line" else pl.String) for name in names}


def _parse_send(raw: bytes) -> tuple[list[tuple], None]:
    return [parse_send_line(raw)], None


WEBHOOKS = Source(
    name="webhooks",
    parse=parse_line,
    columns=tuple("event_ts" if c == "event_ts_us" else c for c in EVENT_COLUMNS),
    types={"event_ts": TS},
    insert_sql="queries/insert_webhook_events.sql",
)
SENDS = Source(
    name="sends",
    parse=_parse_send,
    columns=tuple("ts" if c == "ts_us" else c for c in ATTEMPT_COLUMNS),
    types={"ts": TS, "http_status": pl.Int32, "success": pl.Boolean, "is_transient": pl.Boolean,
           "error_code": pl.Int64, "error_subcode": pl.Int64, "remaining_seconds": pl.Int64},
    insert_sql="queries/insert_send_attempts.sql",
)


def _kept_schema(columns: tuple[str, ...]) -> Schema:
    """Frame types of kept rows: microsecond times as integers, everything else text, then where they came from."""
    return {**{c: pl.Int64 if c.endswith("_us") else pl.String for c in columns},
            "source_file": pl.String, "source_line": pl.Int64, "ordinal": pl.Int64}


MESSENGER_SCHEMA = _kept_schema(MESSENGER_COLUMNS)
CHANGES_SCHEMA = _kept_schema(CHANGE_COLUMNS)


@dataclass
class Kept:
    """Rows of a chunk for the tables beside the source's own: standard Messenger events and
    campaign changes, each row ending in (source file, line, place in the line)."""

    messenger: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.messenger) + len(self.changes)


@dataclass
class ParsedChunk:
    """One chunk of lines parsed: the events as a frame, the rows kept elsewhere, the quarantine
    rows, counts of lines and of events."""

    lines: int  # lines in the chunk, counted from its bytes
    landed: int  # lines read whole: not quarantined as a line (counted apart from `bad`, so the two can be checked)
    frame: pl.DataFrame | None
    bad: list[tuple]
    reasons: dict[str, int]
    events_landed: int = 0  # events for the source's table (redeliveries included: they are there, once)
    kept: Kept = field(default_factory=Kept)
    # Lines quarantined beyond one per row: the row of a run of N empty or too long lines stands for N.
    more_lines: int = 0

    @property
    def lines_quarantined(self) -> int:
        return sum(1 for row in self.bad if row[3] == 0) + self.more_lines

    @property
    def events_quarantined(self) -> int:
        return len(self.bad) + self.more_lines

    @property
    def events_read(self) -> int:
        return self.events_landed + len(self.kept) + self.events_quarantined


def parse_chunk(chunk: LineChunk, line_no: int, rel: str, source: Source) -> ParsedChunk:
    """Parse the lines of `chunk`, numbered from `line_no` + 1."""
    lines = chunk.lines()
    with paused_gc():
        rows, parsed = parse_lines(zip(range(line_no + 1, line_no + 1 + len(lines)), lines, strict=True), rel, source)
        parsed.frame = batch_frame(source, rows)
    if parsed.frame is not None:
        parsed.frame = first_occurrences(source.columns[0], parsed.frame)
    return parsed


def skipped_lines(run: SkippedLines, line_no: int, rel: str, source: Source) -> ParsedChunk:
    """One quarantine row for a run of empty or too long lines, numbered from `line_no` + 1, at its
    first line: it stands for its `count` lines, each a line and an event quarantined."""
    first, count = line_no + 1, run.count
    in_a_row = f"{count} in a row: lines {first}-{first + count - 1}"
    if run.kind == EMPTY:
        why = "empty line" if count == 1 else f"empty line ({in_a_row})"
    elif count == 1:
        why = f"line too long ({run.first} bytes > {MAX_LINE_BYTES})"
    else:
        why = f"line too long ({in_a_row}, up to {run.longest} bytes > {MAX_LINE_BYTES})"
    if run.head:
        why += f" (raw_text truncated to the first {len(run.head)} of {run.first} bytes)"
    row = (source.name, rel, first, 0, why, run.head.decode("utf-8", errors="replace"))
    return ParsedChunk(count, 0, None, [row], {reason_key(why): count}, more_lines=count - 1)


def parse_lines(numbered: Iterable[tuple[int, bytes]], rel: str, source: Source) -> tuple[list[tuple], ParsedChunk]:
    """(rows for the source's table, the chunk without its frame) of (line number, line) pairs;
    `batch_frame` makes the frame of the rows."""
    rows: list[tuple] = []
    bad: list[tuple] = []
    reasons: dict[str, int] = {}
    kept = Kept()
    lines = landed = 0
    parse, append = source.parse, rows.append
    for line_no, raw in numbered:
        lines += 1
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            if len(raw) > MAX_LINE_BYTES:
                raise BadLine(f"line too long ({len(raw)} bytes > {MAX_LINE_BYTES})")
            events, extras = parse(raw)
        except BadLine as error:
            why = "empty line" if not raw.strip() else str(error)
            bad.append((source.name, rel, line_no, 0, *quarantine_text(why, raw)))
            reasons[reason_key(why)] = reasons.get(reason_key(why), 0) + 1
            continue
        for event in events:
            append((*event, rel, line_no))
        if extras is not None:
            _add_extras(extras, source, rel, line_no, kept, bad, reasons)
        landed += 1
    return rows, ParsedChunk(lines, landed, None, bad, reasons, len(rows), kept)


def _add_extras(extras: Extras, source: Source, rel: str, line_no: int, kept: Kept, bad: list[tuple],
                reasons: dict[str, int]) -> None:
    for ordinal, row in enumerate(extras.messenger):
        kept.messenger.append((*row, rel, line_no, ordinal))
    for ordinal, row in enumerate(extras.changes):
        kept.changes.append((*row, rel, line_no, ordinal))
    for item, why, raw in extras.bad:
        bad.append((source.name, rel, line_no, item, *quarantine_text(why, raw)))
        reasons[reason_key(why)] = reasons.get(reason_key(why), 0) + 1


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The batch is millions of small objects that are all alive until it is written:
    the cyclic garbage collector would rescan them over and over for nothing."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_was_enabled:
            gc.enable()


def batch_frame(source: Source, rows: list[tuple]) -> pl.DataFrame | None:
    """The frame of parsed rows, None when there are none."""
    return pl.DataFrame(rows, schema=source.schema, orient="row") if rows else None


def first_occurrences(key: str, frame: pl.DataFrame) -> pl.DataFrame:
    """One row per key: its first occurrence (lowest line)."""
    if frame.get_column(key).n_unique() == frame.height:
        return frame
    # A line logged twice inside the chunk: only the first occurrence is landed.
    return frame.unique(subset=key, keep="first", maintain_order=True)


QUARANTINE_SCHEMA = {"source": pl.String, "file": pl.String, "line": pl.Int64, "item": pl.Int64,
                     "reason": pl.String, "raw_text": pl.String}


def reason_key(why: str) -> str:
    """What a quarantine reason is counted under: its text before details ('not JSON: ...' -> 'not JSON')."""
    return why.split(":")[0].split(" (")[0]


def quarantine_text(reason: str, raw: bytes) -> tuple[str, str]:
    """(reason, raw text) of a quarantine row: the text decoded leniently and cut at RAW_TEXT_LIMIT."""
    if len(raw) > RAW_TEXT_LIMIT:
        reason = f"{reason} (raw_text truncated to the first {RAW_TEXT_LIMIT} of {len(raw)} bytes)"
        raw = raw[:RAW_TEXT_LIMIT]
    return reason, raw.decode("utf-8", errors="replace")
