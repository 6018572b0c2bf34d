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
