"""The lake's tables seen from DuckDB, the query engine for marts, checks and analysts.

DuckDB's own Iceberg extension is downloaded on first use, which an offline machine cannot do, so
each table is read at its current snapshot by pyiceberg (as Arrow, every data file of the snapshot
and nothing else) and shown to DuckDB as `schema.table`, the same names as in the warehouse file.
polars reads the same tables directly: `pl.scan_iceberg(lake.catalog.load_table("marts.campaign_daily"))`.

The export tables can hold an event twice (two receivers, two shards: `export_tables.py`); their
views keep one row per key, the copy first in path order of the files, then line: the row a
single DuckDB warehouse ingesting the same files keeps.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb

from pipelines.lake.catalog import Lake
from pipelines.lake.export_tables import EXPORT_TABLES, ExportTable

KEYED = {table.identifier: table for table in EXPORT_TABLES if table.key is not None}


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def path_order(table: ExportTable) -> str:
    """ORDER BY terms of an export table's rows in the order ingestion reads them: files in path
    order (folder by folder, as `exports.listed_files` sorts them), then line."""
    terms = [f"string_split({_quoted(table.file_column)}, '/')"]
    if table.line_column is not None:
        terms.append(_quoted(table.line_column))
    return ", ".join(terms)


def _view_query(identifier: str, relation: str) -> str:
    table = KEYED.get(identifier)
    if table is None:
        return f"select * from {_quoted(relation)}"
    assert table.key is not None
    return (f"select * from {_quoted(relation)} "
            f"qualify row_number() over (partition by {_quoted(table.key)} order by {path_order(table)}) = 1")


def attach_lake(con: duckdb.DuckDBPyConnection, lake: Lake, exclude: Collection[str] = ()) -> list[str]:
    """Make every lake table (but those in `exclude`) queryable in `con` as a view `schema.table`;
    returns their names.

    The views read the snapshot current when this is called: a writer committing afterwards is
    not seen until the next call, so one query never mixes two snapshots of a table."""
    names = [name for name in lake.tables() if name not in exclude]
    for identifier in names:
        schema, table = identifier.split(".", 1)
        relation = f"lake__{schema}__{table}"
        con.register(relation, lake.read(identifier))
        # Names from the lake's own catalog, quoted.
        con.execute(f"create schema if not exists {_quoted(schema)}")
        con.execute(f"create or replace view {_quoted(schema)}.{_quoted(table)} as {_view_query(identifier, relation)}")
    return names
