"""Export files: which are sealed, reading them in chunks of whole lines, and their fingerprint.

A file is readable when sealed: `.ndjson` or `.ndjson.gz`, its name (and folders) not starting with
`.`; names ending in `.open` or `.tmp` are still being written. Files are only ever read.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
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


def read_chunks(path: Path, offset: int, chunk_bytes: int, gz: bool) -> Iterator[tuple[bytes, int]]:
    """(lines joined by newlines without the final one, bytes consumed) from `offset` onwards.

    Only complete lines are yielded. The last bytes of a plain file after its final newline are
    yielded only when they are a whole JSON document: a writer may still be appending to them.
    In a .gz file (immutable once sealed) they always form the last line.
    """
    opener = gzip.open if gz else open
    with opener(path, "rb") as handle:
        skip = 0
        if offset:
            handle.seek(offset - 1)
            if handle.read(1) != b"\n" and handle.read(1) == b"\n":
                # The last read took a final line before its newline arrived: that newline
                # ends the line already landed, it does not start an empty one.
                skip = 1
            handle.seek(offset + skip)
        pending = b""
        while True:
            block = handle.read(chunk_bytes)
            if not block:
                break
            data = pending + block
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = data
                continue
            pending = data[cut + 1 :]
            yield data[:cut], cut + 1 + skip
            skip = 0
        if pending and (gz or _is_json(pending)):
            yield pending, len(pending) + skip


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True
