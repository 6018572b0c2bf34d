"""Export bytes -> lines: chunks of whole lines, and runs of lines no one reads whole.

Grain: a unit is either a `LineChunk` (consecutive lines of at most MAX_LINE_BYTES, handed to the
parsers) or a `SkippedLines` run (consecutive empty lines, or consecutive lines longer than the
cap). The cap holds while reading: a line past it is never held whole, only its first
RAW_TEXT_LIMIT bytes and its length are kept while the scan skips to its newline, so no line,
however long (a .gz bomb included), grows memory past about the cap. A run of empty lines is
matched in C, a window at a time, so a flood of newlines costs one unit, not one per line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace

# A line longer than this is quarantined unread: Meta batches at most 1000 updates per POST,
# far below it, and one runaway line must not take the ingestion's memory with it.
MAX_LINE_BYTES = 8 * 1024 * 1024
RAW_TEXT_LIMIT = 64 * 1024

# Bytes of the longest line handed over, with a CR and its newline: the parser measures a line
# without its CR, so a line of MAX_LINE_BYTES + 1 bytes ending in CR is still within the cap.
LONGEST = MAX_LINE_BYTES + 2
_BLANK = frozenset(b" \t\r\n\x0b\x0c")  # ASCII whitespace, as bytes.strip() strips it
# Possessive: the match keeps no backtracking state (the plain form held ~130 MB for 1 MiB of newlines).
_BLANK_LINES = re.compile(rb"(?:[ \t\r\x0b\x0c]*+\n)++")
_BLANK_WINDOW = 1024 * 1024  # a run of empty lines is matched this much at a time (one copy of it at most)
_SKIP_WINDOW = 16 * 1024 * 1024  # a line too long is searched for its newline this much at a time

EMPTY, TOO_LONG = "empty", "too long"


@dataclass(frozen=True)
class LineChunk:
    """Whole lines of an export file, held without copying them: line i is
    `data[bounds[i] : bounds[i + 1] - 1]` (its newline left out; the file's last line may have none).
    `data` is a bytes object or a view into the file's memory map, valid while the chunk is used."""

    data: bytes | memoryview
    bounds: list[int]
    consumed: int  # bytes of the file this chunk accounts for
    # Set on the last chunk of a damaged .gz file: why the rest cannot be read. That chunk has no
    # lines; `data` holds the start of the line the damage cut short (maybe empty).
    unreadable: str | None = None

    @classmethod
    def of(cls, data: bytes, consumed: int | None = None) -> LineChunk:
        """The lines of `data` (joined by newlines, without a final one)."""
        bounds = list(itertools.accumulate((len(line) + 1 for line in data.split(b"\n")), initial=0))
        return cls(data, bounds, len(data) if consumed is None else consumed)

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def line(self, i: int) -> bytes:
        return bytes(self.data[self.bounds[i] : self.bounds[i + 1] - 1])

    def lines(self) -> list[bytes]:
        return bytes(self.data[: self.bounds[-1] - 1]).split(b"\n") if len(self) else []


@dataclass(frozen=True)
class SkippedLines:
    """`count` consecutive lines that are not handed over: empty ones (whitespace only) or ones
    longer than MAX_LINE_BYTES. `head` is the first RAW_TEXT_LIMIT bytes of the first line, `first`
    its length and `longest` the longest line's (each without its newline and a CR before it)."""

    kind: str  # EMPTY or TOO_LONG
    count: int
    consumed: int  # bytes of the file the run accounts for
    head: bytes = b""
    first: int = 0
    longest: int = 0

    def then(self, other: SkippedLines) -> SkippedLines:
        """This run followed by `other`, of the same kind."""
        return replace(self, count=self.count + other.count, consumed=self.consumed + other.consumed,
                       longest=max(self.longest, other.longest))

    def grown(self, more: int, length: int) -> SkippedLines:
        """A single line too long, `more` bytes further on, `length` bytes long in all."""
        return replace(self, consumed=self.consumed + more, first=length, longest=length)


Unit = LineChunk | SkippedLines
Release = Callable[[int, int], None]  # lets the memory of a byte range of the buffer go


def scan(buf, start: int, end: int, chunk_bytes: int,
         release: Release | None = None) -> Generator[Unit, None, tuple[int, SkippedLines | None]]:
    """The units of `buf[start:end]` (`start` begins a line): chunks of about `chunk_bytes` of
    whole lines, and single runs (`merged` joins adjacent ones). Returns where it stopped: `end`,
    or the start of a line whose newline is not before `end`, with, if that line is already too
    long, its run so far (count 1, `consumed` up to `end`)."""
    find, view = buf.find, memoryview(buf)
    while start < end:
        bounds, position, limit, run, complete = [0], start, min(end, start + chunk_bytes), None, True
        while position < limit:
            if buf[position] in _BLANK and (run := _blank_run(buf, position, end)):
                break
            newline = find(b"\n", position, min(end, position + LONGEST))
            if newline < 0:
                if end - position >= LONGEST:
                    run, complete = _too_long(buf, position, end, release)
                break
            position = newline + 1
            bounds.append(position - start)
        if position > start:
            yield LineChunk(view[start:position], bounds, position - start)
            if release:
                release(start, position)
        if run is None and position < limit:
            return position, None  # a line without its newline (yet)
        if not complete:
            return position, run
        if run is not None:
            yield run
            position += run.consumed
        start = position
    return start, None


def _blank_run(buf, position: int, end: int) -> SkippedLines | None:
    """The empty lines from `position` (a window of them at most), or None if that line is not empty."""
    match = _BLANK_LINES.match(buf, position, min(end, position + _BLANK_WINDOW))
    if match is None:
        return None
    return SkippedLines(EMPTY, match.group().count(b"\n"), match.end() - position)


def _too_long(buf, position: int, end: int, release: Release | None) -> tuple[SkippedLines, bool]:
    """(the line from `position`, which has no newline in its first LONGEST bytes, as a run; whether
    its newline is before `end`). It is searched a window at a time, each let go once searched."""
    head, search, newline = bytes(buf[position : position + RAW_TEXT_LIMIT]), position + LONGEST, -1
    while newline < 0 and search < end:
        stop = min(end, search + _SKIP_WINDOW)
        newline = buf.find(b"\n", search, stop)
        if release:
            release(position, stop)
        search = stop
    if newline < 0:
        return SkippedLines(TOO_LONG, 1, end - position, head, end - position, end - position), False
    length = newline - position - (buf[newline - 1] == 0x0D)
    return SkippedLines(TOO_LONG, 1, newline + 1 - position, head, length, length), True


def merged(units: Iterable[Unit]) -> Iterator[Unit]:
    """`units` with adjacent runs of the same kind joined into one (a run split by a window or a
    block is still one run)."""
    held: SkippedLines | None = None
    for unit in units:
        if isinstance(unit, SkippedLines) and held is not None and held.kind == unit.kind:
            held = held.then(unit)
            continue
        if held is not None:
            yield held
            held = None
        if isinstance(unit, SkippedLines):
            held = unit
        else:
            yield unit
    if held is not None:
        yield held
