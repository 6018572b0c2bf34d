"""Parquet data files written for a lake table before the commit that adds them.

A window of an export table can hold millions of rows. DuckDB writes them as Parquet itself
(`write_parquet`: streamed a row group at a time, on every thread, no copy through Arrow or
Python), straight into the table's data folder when the warehouse is a folder, or into a
temporary file then copied through the table's own file IO when it is on S3. The file is only a
file until `Lake.replace_files` commits it: a writer that dies before that leaves an orphan
nobody reads.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from pyiceberg.table import Table

COMPRESSION = "zstd"
_COPY_BYTES = 8 * 1024 * 1024


def write_data_file(table: Table, rows: duckdb.DuckDBPyRelation) -> tuple[str, int] | None:
    """Write the relation's rows as one new Parquet file in the table's data folder; returns its
    location and rows, or None when there was no row (no file is left)."""
    location = f"{table.location().rstrip('/')}/data/{uuid.uuid4().hex}.parquet"
    if location.startswith("file://"):
        path = Path(location.removeprefix("file://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return _written(rows, path, location)
    with tempfile.TemporaryDirectory(prefix="mmlens-lake-") as folder:
        path = Path(folder) / "data.parquet"
        written = _written(rows, path, location)
        if written is not None:
            with path.open("rb") as source, table.io.new_output(location).create(overwrite=False) as target:
                shutil.copyfileobj(source, target, _COPY_BYTES)
        return written


def _written(rows: duckdb.DuckDBPyRelation, path: Path, location: str) -> tuple[str, int] | None:
    rows.write_parquet(str(path), compression=COMPRESSION)
    count = pq.read_metadata(path).num_rows
    if not count:
        path.unlink()
        return None
    return location, count
