"""Export files: which are sealed and may be read, reading them in units of lines, and their fingerprint.

A file is readable when sealed: `.ndjson` or `.ndjson.gz`, its name (and folders) not starting with
`.`; names ending in `.open` or `.tmp` are still being written. Files are only ever read, and
only inside the exports folder: a symlink whose target leaves it is refused, never opened, and so
is a file whose name is not UTF-8 (it could not be stored as text). Symlinked folders are not
followed (one leaving the exports folder is refused too). Lines are split by `lines.py`.
"""

from __future__ import annotations

import gzip
import hashlib
import mmap
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from pipelines.webhooks.lines import LONGEST, LineChunk, SkippedLines, Unit, merged, scan

SOURCES = ("webhooks", "sends")


def is_sealed(path: Path) -> bool:
    """Readable export: `.ndjson` or `.ndjson.gz`, not hidden, not still being written."""
    name = path.name
    return not name.startswith(".") and (name.endswith(".ndjson") or name.endswith(".ndjson.gz"))


def sealed_files(folder: Path) -> list[Path]:
    """Sealed export files under `folder`, in path order (the order replay uses)."""
    return [path for path, _ in listed_files(folder, folder) if path.is_file()]


def listed_files(folder: Path, exports_dir: Path) -> list[tuple[Path, str | None]]:
    """(path, why it is refused, or None) of every sealed export file under `folder` and every
    symlinked folder there that leaves `exports_dir`, in path order."""
    if not folder.is_dir():
        return []
    roots = (os.path.realpath(exports_dir), os.path.realpath(folder))
    found: list[tuple[Path, str | None]] = []
    for path in folder.rglob("*"):  # does not descend into symlinked folders
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_symlink() and path.is_dir():
            if _leaves(path, roots):
                found.append((path, "symlinked folder whose target is outside the exports folder: not read"))
        elif path.is_file() and is_sealed(path):
            found.append((path, _refusal(path, roots, path.relative_to(exports_dir).as_posix())))
    return sorted(found)


def _leaves(path: Path, roots: tuple[str, ...]) -> bool:
    target = os.path.realpath(path)
    return not any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _refusal(path: Path, roots: tuple[str, ...], rel: str) -> str | None:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8: not read (rename the file to read it)"
    if path.is_symlink() and _leaves(path, roots):
        return "symlink whose target is outside the exports folder: not read"
    return None


def stored_name(rel: str) -> str:
    """`rel` as text that can be stored: bytes that are not UTF-8 written as `\\xNN`."""
    return os.fsencode(rel).decode("utf-8", errors="backslashreplace")


def exports_fingerprint(exports_dir: Path) -> tuple[str, int]:
    """(hash of every sealed export file's path and size, number of files): it changes exactly
    when a sealed file appears or grows, which is when ingestion has something new to read."""
    digest = hashlib.blake2b(digest_size=16)
    count = 0
    for name in SOURCES:
        for path, refused in listed_files(exports_dir / name, exports_dir):
            size = (path.lstat() if refused else path.stat()).st_size  # a refused link's target is not looked at
            digest.update(os.fsencode(f"{path.relative_to(exports_dir).as_posix()}\0{size}\n"))
            count += 1
    return digest.hexdigest(), count


def read_chunks(path: Path, offset: int, chunk_bytes: int, gz: bool) -> Iterator[Unit]:
    """Units of lines from `offset` onwards: chunks of about `chunk_bytes` of whole lines, and
    runs of empty or too long lines (`lines.py`), adjacent runs of a kind joined.

    Only complete lines are read. The last bytes of a plain file after its final newline are
    read only when they are a whole JSON document within the cap: a writer may still be
    appending to them. In a .gz file (immutable once sealed) they always form the last line. A
    plain file is read through a memory map (no copy); a .gz file is decompressed block by block.
    """
    yield from merged(_gz_chunks(path, offset, chunk_bytes) if gz else _mapped_chunks(path, offset, chunk_bytes))


def _mapped_chunks(path: Path, offset: int, chunk_bytes: int) -> Iterator[Unit]:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= offset:
            return
        mapped = mmap.mmap(handle.fileno(), size, prot=mmap.PROT_READ)
    view = memoryview(mapped)
    # The last read may have taken a final line before its newline arrived: that newline (or CR LF)
    # ends the line already landed, it does not start an empty one.
    skip = 0
    if offset and mapped[offset - 1] != 0x0A:
        skip = 1 if mapped[offset] == 0x0A else 2 if mapped[offset : offset + 2] == b"\r\n" else 0
    start = offset + skip
    if skip:
        yield LineChunk(view[start:start], [0], skip)  # that newline: no line, but the bytes are read

    def release(first: int, last: int) -> None:
        # Done with those pages: let them go, so memory stays flat however large the file or the line.
        page = mmap.PAGESIZE
        mapped.madvise(mmap.MADV_DONTNEED, first // page * page, last // page * page - first // page * page)

    position, cut = yield from scan(mapped, start, size, chunk_bytes, release)
    if cut is None and position < size and size - position < LONGEST and _is_json(mapped[position:size]):
        yield LineChunk(view[position:size], [0, size + 1 - position], size - position)  # complete, without newline
    # Else the rest is the beginning of a line still being written (one too long is left too).


# A .gz file is decompressed this much at a time, so that damage loses nothing read before it.
_GZ_BLOCK = 1024 * 1024


def _gz_chunks(path: Path, offset: int, chunk_bytes: int) -> Iterator[Unit]:
    """Units of a .gz file. Decompressed blocks are scanned once `chunk_bytes` of them are read,
    or once the line they end in passes the cap: that line is then skipped block by block. If the
    file is damaged (truncated, not gzip, bytes after its last member), the lines before the damage
    are read as usual and a last chunk without lines carries the reason in `unreadable` and the
    start of the line the damage cut short."""
    pending, blocks, size, tail = b"", [], 0, 0  # the start of a line, blocks read after it, their bytes
    cut: SkippedLines | None = None  # a line too long whose newline has not come yet
    last_byte, unreadable = 0, None
    try:
        with gzip.open(path, "rb") as handle:
            handle.seek(offset)  # uncompressed bytes already read (units end after a newline)
            while block := handle.read1(_GZ_BLOCK):
                if cut is not None:
                    newline = block.find(b"\n")
                    if newline < 0:
                        cut, last_byte = cut.grown(len(block), cut.first + len(block)), block[-1]
                        continue
                    before = block[newline - 1] if newline else last_byte
                    yield cut.grown(newline + 1, cut.first + newline - (before == 0x0D))
                    cut, block = None, block[newline + 1 :]
                blocks.append(block)
                size += len(block)
                newline = block.rfind(b"\n")
                tail = tail + len(block) if newline < 0 else len(block) - newline - 1  # bytes since the last newline
                if size >= chunk_bytes or tail >= LONGEST:
                    data = pending + b"".join(blocks)
                    blocks, size = [], 0
                    position, cut = yield from scan(data, 0, len(data), chunk_bytes)
                    pending = data[position:] if cut is None else b""
                    tail, last_byte = len(pending), data[-1]
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:  # damage; other I/O errors stop the run
        unreadable = f"{type(error).__name__}: {error}"
    if cut is None:
        data = pending + b"".join(blocks)
        position, cut = yield from scan(data, 0, len(data), chunk_bytes)
        pending = data[position:]
    if unreadable:  # with the start of the line the damage cut short
        yield LineChunk(cut.head, [0], cut.consumed, unreadable) if cut else LineChunk(pending, [0], len(pending),
                                                                                       unreadable)
    elif cut:
        yield cut  # the last line, too long, without a newline
    elif pending:
        yield LineChunk.of(pending)  # the last line, without a newline


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True
