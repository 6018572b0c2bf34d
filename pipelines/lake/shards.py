"""Ingestion shards: export files split between processes (or machines) that write one lake.

A shard owns a set of export files, named by their path under the exports folder: those under a
folder (a receiver's, `webhooks/a/`, or `sends/`), and of those, part k of n by a stable hash of the
path (so that one large folder can be split too). Every file belongs to exactly one part, and a
file's part never changes while n does not. Each shard ingests its files with the ordinary
ingestion code into its own DuckDB working copy (kept between runs, like a run's warehouse, so a
later run reads only new files and bytes), then publishes them to the lake (`export_tables.py`).
Shards share nothing but the lake's catalog: they can run at once, anywhere the files are readable.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipelines import warehouse
from pipelines.errors import UsageError
from pipelines.lake.catalog import Lake
from pipelines.lake.export_tables import publish_exports
from pipelines.lake.publish import Published
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, IngestStats, ingest

_PART = re.compile(r"([1-9][0-9]{0,3})/([1-9][0-9]{0,3})")


@dataclass(frozen=True)
class Shard:
    """The export files one shard owns: under `folder` (relative to the exports folder, e.g.
    `webhooks/a`; None: everywhere), part `part` of `parts` by the CRC-32 of the path."""

    folder: str | None = None
    part: int = 1
    parts: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.part <= self.parts:
            raise UsageError(f"shard: part {self.part} of {self.parts} does not exist")

    @classmethod
    def parse(cls, part: str | None = None, folder: str | None = None) -> Shard:
        """From `k/n` (e.g. `2/4`) and a folder, as an operator writes them."""
        if part is None:
            return cls(folder=folder)
        match = _PART.fullmatch(part.strip())
        if match is None:
            raise UsageError(f"shard: {part!r} is not k/n (e.g. 2/4)")
        return cls(folder=folder, part=int(match[1]), parts=int(match[2]))

    def owns(self, rel: str) -> bool:
        if self.folder is not None and not rel.startswith(self.folder.strip("/") + "/"):
            return False
        return self.parts == 1 or zlib.crc32(rel.encode("utf-8")) % self.parts == self.part - 1


@dataclass(frozen=True)
class ShardRun:
    webhooks: IngestStats
    sends: IngestStats
    published: list[Published]
    ingest_seconds: float
    publish_seconds: float


def run_shard(working_copy: Path, exports_dir: Path, lake: Lake, shard: Shard) -> ShardRun:
    """Ingest the shard's new export files and bytes into its working copy, then publish every
    file of it the lake does not hold as it is there."""
    started = time.perf_counter()
    with warehouse.connect(working_copy) as con:
        webhooks = ingest(con, exports_dir, WEBHOOKS, select=shard.owns)
        sends = ingest(con, exports_dir, SENDS, select=shard.owns)
        ingested = time.perf_counter()
        published = publish_exports(con, lake)
    return ShardRun(webhooks, sends, published, ingested - started, time.perf_counter() - ingested)
