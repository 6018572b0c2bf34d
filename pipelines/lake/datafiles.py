"""Parquet data files written for a lake table before the commit that adds them.

A window of an export table can hold millions of rows; rather than one Arrow table in memory,
the rows stream from DuckDB in batches into a Parquet file written through the table's own file
IO (a folder or S3), one row group per batch, so memory stays at about one batch. The file is
only a file until `Lake.replace_files` commits it: a writer that dies before that leaves an
orphan nobody reads.
"""

from __future__ import annotations

import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.table import Table

from pipelines.lake.catalog import lake_schema

COMPRESSION = "zstd"


def write_data_file(table: Table, batches: pa.RecordBatchReader) -> tuple[str, int] | None:
    """Write the batches' rows as one new Parquet file in the table's data folder; returns its
    location and rows, or None when there was no row (no file is made)."""
    schema = lake_schema(batches.schema)
    location = f"{table.location().rstrip('/')}/data/{uuid.uuid4().hex}.parquet"
    writer = stream = None
    rows = 0
    try:
        for batch in batches:
            if not batch.num_rows:
                continue
            if writer is None:
                stream = table.io.new_output(location).create(overwrite=False)
                writer = pq.ParquetWriter(stream, schema, compression=COMPRESSION)
            writer.write_batch(batch.cast(schema))
            rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
        if stream is not None:
            stream.close()
    return None if writer is None else (location, rows)
