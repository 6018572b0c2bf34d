"""Export files: which are sealed, reading them in chunks of whole lines, and their fingerprint.

A file is readable when sealed: `.ndjson` or `.ndjson.gz`, its name (and folders) not starting with
`.`; names ending in `.open` or `.tmp` are still being written. Files are only ever read.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import mmap
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

SOURCES = ("webhooks", "sends")


def is_sealed(path: Path) -> bool:
    """Readable export: `.ndjson` or `.ndjson.gz`, not hidden, not still being written."""
    name = path.name
    return not name.startswith(".") and (name.endswith(".ndjson") or name.endswith(".ndjson.gz"))


def sealed_files(folder: Path) -> list[Path]:
    """Sealed export files under `folder`, in path order (the order replay uses)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.is_file() and is_sealed(p)]
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(folder).parts))


def exports_fingerprint(exports_dir: Path) -> tuple[str, int]:
    """(hash of every sealed export file's path and size, number of files): it changes exactly
    when a sealed file appears or grows, which is when ingestion has something new to read."""
    digest = hashlib.blake2b(digest_size=16)
    count = 0
    for name in SOURCES:
        for path in sealed_files(exports_dir / name):
            digest.update(f"{path.relative_to(exports_dir).as_posix()}\0{path.stat().st_size}\n".encode())
            count += 1
    return digest.hexdigest(), count


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


def read_chunks(path: Path, offset: int, chunk_bytes: int, gz: bool) -> Iterator[LineChunk]:
    """Chunks of about `chunk_bytes` of whole lines from `offset` onwards.

    Only complete lines are read. The last bytes of a plain file after its final newline are
    read only when they are a whole JSON document: a writer may still be appending to them.
    In a .gz file (immutable once sealed) they always form the last line. A plain file is read
    through a memory map (no copy); a .gz file is decompressed block by block.
    """
    if gz:
        yield from _gz_chunks(path, offset, chunk_bytes)
    else:
        yield from _mapped_chunks(path, offset, chunk_bytes)


def _mapped_chunks(path: Path, offset: int, chunk_bytes: int) -> Iterator[LineChunk]:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= offset:
            return
        mapped = mmap.mmap(handle.fileno(), size, prot=mmap.PROT_READ)
    view, find = memoryview(mapped), mapped.find
    # The last read may have taken a final line before its newline arrived: that newline (or CR LF)
    # ends the line already landed, it does not start an empty one.
    skip = 0
    if offset and mapped[offset - 1] != 0x0A:
        skip = 1 if mapped[offset] == 0x0A else 2 if mapped[offset : offset + 2] == b"\r\n" else 0
    start = offset + skip
    if skip and start == size:
        yield LineChunk(view[start:start], [0], skip)  # only that newline: no line, but the bytes are read
        return
    while start < size:
        bounds, position, limit = [0], start, min(size, start + chunk_bytes)
        while (newline := find(b"\n", position, limit)) >= 0:
            position = newline + 1
            bounds.append(position - start)
        if position == start and (newline := find(b"\n", limit)) >= 0:
            position = newline + 1  # a line longer than a chunk
            bounds.append(position - start)
        if position < size and find(b"\n", position) < 0 and _is_json(mapped[position:size]):
            position = size  # the last line, complete but without its newline
            bounds.append(size + 1 - start)
        if position == start:
            return  # only the beginning of a line still being written
        yield LineChunk(view[start:position], bounds, position - start + skip)
        # Done with those pages: let them go, so memory stays flat however large the file.
        page = mmap.PAGESIZE
        mapped.madvise(mmap.MADV_DONTNEED, start // page * page, position // page * page - start // page * page)
        skip, start = 0, position


# A .gz file is decompressed this much at a time, so that damage loses nothing read before it.
_GZ_BLOCK = 1024 * 1024


def _gz_chunks(path: Path, offset: int, chunk_bytes: int) -> Iterator[LineChunk]:
    """Chunks of a .gz file. If the file is damaged (truncated, not gzip, bytes after its last
    member), the lines before the damage are read as usual and a last chunk without lines carries
    the reason in `unreadable` and the start of the line the damage cut short."""
    pending, blocks, size, unreadable = b"", [], 0, None
    try:
        with gzip.open(path, "rb") as handle:
            handle.seek(offset)  # uncompressed bytes already read (chunks end after a newline)
            while block := handle.read1(_GZ_BLOCK):
                blocks.append(block)
                size += len(block)
                if size >= chunk_bytes:
                    lines, pending = _whole_lines(pending + b"".join(blocks))
                    blocks, size = [], 0
                    if lines is not None:
                        yield LineChunk.of(lines, len(lines) + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:  # damage; other I/O errors stop the run
        unreadable = f"{type(error).__name__}: {error}"
    lines, pending = _whole_lines(pending + b"".join(blocks))
    if lines is not None:
        yield LineChunk.of(lines, len(lines) + 1)
    if unreadable:
        yield LineChunk(pending, [0], len(pending), unreadable)
    elif pending:
        yield LineChunk.of(pending)  # the last line, without a newline


def _whole_lines(data: bytes) -> tuple[bytes | None, bytes]:
    """(the whole lines of `data` without their last newline, or None; the bytes after them)."""
    cut = data.rfind(b"\n")
    return (None, data) if cut < 0 else (data[:cut], data[cut + 1 :])


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True
