"""Reading export files in chunks of whole lines: memory-mapped plain files and .gz files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines.webhooks.exports import read_chunks
from pipelines.webhooks.lines import SkippedLines


def _read(path: Path, offset: int = 0, chunk_bytes: int = 4) -> tuple[list[bytes | tuple], int]:
    """(the lines read, a run of skipped lines as (kind, count); the bytes accounted for)."""
    lines, consumed = [], 0
    for chunk in read_chunks(path, offset, chunk_bytes, path.name.endswith(".gz")):
        consumed += chunk.consumed
        if isinstance(chunk, SkippedLines):
            lines.append((chunk.kind, chunk.count))
            continue
        lines += [chunk.line(i) for i in range(len(chunk))]
        assert chunk.lines() == [chunk.line(i) for i in range(len(chunk))]
    return lines, consumed


@pytest.mark.parametrize(
    ("content", "offset", "lines", "consumed"),
    [
        (b"a\nbb\nccc\n", 0, [b"a", b"bb", b"ccc"], 9),
        (b'{}\n{"x"', 0, [b"{}"], 3),  # a line still being written is left for later
        (b'{}\n{"x":1}', 0, [b"{}", b'{"x":1}'], 10),  # a complete last line without its newline
        (b'{"x":1}\n{}\n', 7, [b"{}"], 4),  # its newline arrived later: it ends the line already read
        (b'{"x":1}\r\n{}\r\n', 7, [b"{}\r"], 6),  # or its CR LF
        (b'{"x":1}\n', 7, [], 1),  # only that newline: nothing to read, but the bytes are accounted for
        (b"a\nbb\nccc\n", 2, [b"bb", b"ccc"], 7),
        (b"a\n" + b"x" * 50 + b"\nb\n", 0, [b"a", b"x" * 50, b"b"], 55),  # a line longer than a chunk
        (b"a\r\nb\n\n", 0, [b"a\r", b"b", ("empty", 1)], 6),
        (b"", 0, [], 0),
    ],
)
def test_plain_files_are_read_in_whole_lines(tmp_path, content, offset, lines, consumed):
    path = tmp_path / "w.ndjson"
    path.write_bytes(content)
    assert _read(path, offset) == (lines, consumed)


@pytest.mark.parametrize(("offset", "lines"), [(0, [b"a", b"bb", b"ccc", b"d"]), (2, [b"bb", b"ccc", b"d"])])
def test_gz_files_are_read_from_their_uncompressed_offset(tmp_path, offset, lines):
    path = tmp_path / "w.ndjson.gz"
    path.write_bytes(gzip.compress(b"a\nbb\nccc\nd"))
    assert _read(path, offset) == (lines, 10 - offset)


MiB = 2**20


@pytest.mark.parametrize("gz", [False, True])
def test_lines_past_the_cap_and_empty_lines_come_as_runs(tmp_path, gz):
    """A line past the cap is a run with its head and length, never a line; adjacent runs of a kind
    are one, however many blocks or windows they span (3 MiB of newlines: the blank window is 1 MiB)."""
    content = (b"a\n" + b"x" * (9 * MiB) + b"\r\n" + b"y" * (8 * MiB + 2) + b"\n" + b"b\n" + b" \n" * (3 * MiB // 2)
               + b"c\n" + b"z" * (8 * MiB) + b"\r\n")
    path = tmp_path / ("w.ndjson.gz" if gz else "w.ndjson")
    path.write_bytes(gzip.compress(content) if gz else content)
    units = list(read_chunks(path, 0, 1024, gz))
    runs = [unit for unit in units if isinstance(unit, SkippedLines)]
    assert [(r.kind, r.count, r.first, r.longest, r.head) for r in runs] == [
        ("too long", 2, 9 * MiB, 9 * MiB, b"x" * 65536),
        ("empty", 3 * MiB // 2, 0, 0, b""),
    ]
    # The last line is within the cap once its CR is left out: it is handed over.
    assert _read(path, 0, 1024) == ([b"a", ("too long", 2), b"b", ("empty", 3 * MiB // 2), b"c",
                                     b"z" * (8 * MiB) + b"\r"], len(content))


def test_a_line_past_the_cap_without_its_newline(tmp_path):
    """In a plain file it may still be being written: it is left for later. A sealed .gz ends there:
    it is the last line, a run; damage inside it leaves its head for the quarantine row."""
    content = b"a\n" + b"x" * (9 * MiB)
    plain, sealed, damaged = tmp_path / "w.ndjson", tmp_path / "w.ndjson.gz", tmp_path / "d.ndjson.gz"
    plain.write_bytes(content)
    sealed.write_bytes(gzip.compress(content))
    damaged.write_bytes(gzip.compress(content + b"\n")[:-12])  # the end of the deflate stream and the trailer cut
    assert _read(plain) == ([b"a"], 2)
    assert _read(sealed) == ([b"a", ("too long", 1)], len(content))
    *_, last = read_chunks(damaged, 0, 4, True)
    assert last.unreadable is not None and bytes(last.data) == b"x" * 65536 and len(last) == 0
