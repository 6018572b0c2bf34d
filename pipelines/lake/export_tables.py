"""Lake mode's export tables: what ingestion lands from the webhook exports and send logs, kept in
the lake one window per export file.

Ingestion is split into shards (`shards.py`), each owning a set of export files and ingesting them
with the ordinary code into its own DuckDB working copy. A shard then replaces, in each export
table of the lake, the rows of the files whose manifest row the lake does not hold as the working
copy does (new files, files read further, and those an interrupted publish left behind): the
events, the standard Messenger events, the campaign changes, the send attempts, the quarantine
(nothing is dropped on the way) and, last, the manifest rows themselves. Each table is
partitioned by its file column, so a file's rows are a partition: the commit drops the old
partitions whole and adds new Parquet files, written by DuckDB (`datafiles.py`), and shards owning other files never
touch each other's partitions. A shard killed before a table's commit leaves that table as it was;
as the manifest goes last, the next publish redoes every file not finished.

Duplicates: Meta may deliver an event to more than one receiver, so two shards can each land it.
The lake keeps both copies and its readers keep one per key: `query.attach_lake` shows the tables
with the first copy in path order of the files, then line, which is the one a single DuckDB
warehouse ingesting the same files keeps. Dedupe at read time costs one hash aggregate over the
key; deduping at write time would need each shard to see the others' uncommitted rows, and
splitting shards by key hash instead of by file would make every shard read every file.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from pyiceberg.expressions import In

from pipelines.lake.catalog import Lake
from pipelines.lake.datafiles import write_data_file
from pipelines.lake.publish import Published
from pipelines.warehouse import sql_text


@dataclass(frozen=True)
class ExportTable:
    """An export table: the column naming a row's export file, the line column, and the key
    whose copies readers reduce to one (None: a row per file and line already)."""

    identifier: str
    file_column: str
    line_column: str | None
    key: str | None

    @property
    def query(self) -> str:
        return f"queries/lake_export_{self.identifier.replace('.', '_')}.sql"


EXPORT_TABLES = (
    ExportTable("raw.webhook_events", "source_file", "source_line", "event_key"),
    ExportTable("raw.messenger_events", "source_file", "source_line", "event_key"),
    ExportTable("raw.campaign_changes", "source_file", "source_line", "change_key"),
    ExportTable("raw.send_attempts", "source_file", "source_line", "attempt_key"),
    ExportTable("raw.ingest_quarantine", "file", "line", None),
    ExportTable("raw.ingest_manifest", "file", None, None),  # last: it says which files are complete
)
MANIFEST = EXPORT_TABLES[-1].identifier


def unpublished_files(con: duckdb.DuckDBPyConnection, lake: Lake) -> list[str]:
    """The working copy's files whose manifest row the lake does not hold as it is here."""
    here = con.sql(sql_text("queries/lake_shard_manifest.sql")).arrow().read_all()
    if not here.num_rows:
        return []
    files = here["file"].to_pylist()
    there: set[tuple] = set()
    if lake.catalog.table_exists(MANIFEST):
        rows = lake.read(MANIFEST, In("file", set(files)))  # type: ignore[call-arg, arg-type]
        there = {tuple(row.values()) for row in rows.select(here.schema.names).to_pylist()}
    return [file for file, row in zip(files, here.to_pylist(), strict=True) if tuple(row.values()) not in there]


def _rows(con: duckdb.DuckDBPyConnection, table: ExportTable, file: str) -> duckdb.DuckDBPyRelation:
    return con.sql(sql_text(table.query), params={"file": file})


def publish_exports(con: duckdb.DuckDBPyConnection, lake: Lake) -> list[Published]:
    """Replace, table by table (manifest last), the lake's rows of every unpublished file with the
    working copy's. Returns, per table, the rows written and the commit attempts."""
    files = unpublished_files(con, lake)
    con.execute("set TimeZone = 'UTC'")
    published = []
    for table in EXPORT_TABLES:
        if not files:
            published.append(Published(table.identifier, 0, 0))
            continue
        schema = _rows(con, table, files[0]).limit(0).to_arrow_table().schema
        iceberg = lake.ensure_table(table.identifier, schema, partition=table.file_column)
        paths, rows = [], 0
        for file in files:
            written = write_data_file(iceberg, _rows(con, table, file))
            if written is not None:
                paths.append(written[0])
                rows += written[1]
        attempts = lake.replace_files(table.identifier, schema, table.file_column, files, paths)
        published.append(Published(table.identifier, rows, attempts))
    return published
