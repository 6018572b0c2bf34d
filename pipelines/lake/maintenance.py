"""Keeping the lake small: old snapshots expired, files no snapshot reads deleted.

Every window a run publishes is a new snapshot of its table, and each snapshot stays in the
table's metadata (and its files on disk) until it is expired, so a lake written by daily runs of
hundreds of accounts grows without end. `maintain` does the two standard Iceberg chores:

- **Expire snapshots** older than a cut-off, always keeping the current one and the newest
  `keep_last` (pyiceberg's `expire_snapshots`, one commit per table, retried on a conflict with a
  writer like any commit).
- **Delete orphan files**: files under a table's folder that no remaining snapshot, manifest or
  metadata file refers to — the data files of replaced windows once their snapshots are expired,
  and the files of commits that lost or of killed runs. Only files older than `grace` are deleted:
  a writer writes its data files before it commits them, so a younger unreferenced file may be
  about to be committed. Keep `grace` longer than any run's publish step (a day by default).

Readers holding an expired snapshot (an analyst session opened before) already hold its rows in
memory (`pipelines.lake.query`); other engines reading an expired snapshot by id would fail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyarrow.fs import FileSelector, FileType
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import Table

from pipelines.lake.catalog import COMMIT_ATTEMPTS, Lake, LakeCommitError

DEFAULT_GRACE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Maintained:
    identifier: str
    snapshots_expired: int
    snapshots_kept: int
    files_deleted: int
    bytes_deleted: int


def _expire(lake: Lake, identifier: str, cutoff_ms: int, keep_last: int) -> tuple[Table, int]:
    for _ in range(COMMIT_ATTEMPTS):
        table = lake.catalog.load_table(identifier)
        snapshots = sorted(table.snapshots(), key=lambda s: (s.timestamp_ms, s.sequence_number or 0))
        current = table.current_snapshot()
        protected = {s.snapshot_id for s in snapshots[-keep_last:]} if keep_last > 0 else set()
        if current is not None:
            protected.add(current.snapshot_id)
        expired = [s.snapshot_id for s in snapshots if s.timestamp_ms < cutoff_ms and s.snapshot_id not in protected]
        if not expired:
            return table, 0
        try:
            table.maintenance.expire_snapshots().by_ids(expired).commit()
        except CommitFailedException:  # a writer committed meanwhile: look again
            continue
        return lake.catalog.load_table(identifier), len(expired)
    raise LakeCommitError(f"{identifier}: snapshot expiry not committed after {COMMIT_ATTEMPTS} attempts")


def referenced_files(table: Table) -> set[str]:
    """Every file the table's metadata reaches: metadata files (current and logged), each
    snapshot's manifest list, manifests and data or delete files; as paths within their file system."""
    io = table.io
    locations = {table.metadata_location, *(entry.metadata_file for entry in table.metadata.metadata_log)}
    for snapshot in table.snapshots():
        locations.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(io):
            locations.add(manifest.manifest_path)
            locations.update(entry.data_file.file_path for entry in manifest.fetch_manifest_entry(io))
    return {PyArrowFileIO.parse_location(location)[2] for location in locations}


def _delete_orphans(table: Table, older_than: dt.datetime) -> tuple[int, int]:
    io = table.io
    assert isinstance(io, PyArrowFileIO)  # the catalog's FileIO (local folder or S3)
    scheme, netloc, root = PyArrowFileIO.parse_location(table.location())
    fs = io.fs_by_scheme(scheme, netloc)
    keep = referenced_files(table)
    files = deleted = 0
    for info in fs.get_file_info(FileSelector(root, recursive=True, allow_not_found=True)):
        if info.type != FileType.File or info.path in keep or info.mtime is None:
            continue
        if info.mtime.astimezone(dt.timezone.utc) >= older_than:
            continue
        fs.delete_file(info.path)
        files += 1
        deleted += info.size or 0
    return files, deleted


def maintain(lake: Lake, now: dt.datetime, keep_days: float = 7, keep_last: int = 1,
             grace: dt.timedelta = DEFAULT_GRACE) -> list[Maintained]:
    """Expire each table's snapshots older than `keep_days` (keeping the newest `keep_last`), then
    delete its unreferenced files older than `grace`. `now` is aware (UTC)."""
    cutoff_ms = int((now - dt.timedelta(days=keep_days)).timestamp() * 1000)
    done = []
    for identifier in lake.tables():
        table, expired = _expire(lake, identifier, cutoff_ms, keep_last)
        files, size = _delete_orphans(table, now - grace)
        done.append(Maintained(identifier, expired, len(table.snapshots()), files, size))
    return done
