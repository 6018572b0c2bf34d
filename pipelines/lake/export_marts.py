"""Lake mode's export marts: the delivery funnel, the error codes and the responses, built over the
lake's export tables, which every ingestion shard writes.

Unlike the account marts, these cannot be built shard by shard: a send and its webhook events can
sit in different shards' files (a send log and two receivers), so each mart needs every shard's
rows. The build reads the lake through `query.attach_lake` (DuckDB over the lake's current
snapshots, each event once), copies the rows in the order ingestion reads the files into a fresh
DuckDB working copy, runs the marts' ordinary full builds there (`mart_builds`), and replaces each
mart's lake table whole in one commit. The marts therefore equal, row for row, those of one
DuckDB warehouse that ingested the same files. A build killed before a mart's commit leaves that
mart as it was; building again is idempotent.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import mart_builds, warehouse
from pipelines.lake.catalog import Lake
from pipelines.lake.export_tables import EXPORT_TABLES
from pipelines.lake.publish import Published
from pipelines.lake.query import attach_lake, path_order

EXPORT_MARTS = ("marts.delivery_funnel_daily", "marts.error_codes_daily", "marts.responses_daily")
# The Graph table the funnel reads beside the exports (each campaign's Page).
GRAPH_INPUTS = ("raw.message_campaigns",)
BATCH_ROWS = 100_000


def _load(lake_con: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection, identifier: str, order: str | None) -> None:
    query = f"select * from {identifier}" + (f" order by {order}" if order else "")  # names from our own tables
    con.register("lake_rows", lake_con.sql(query).to_arrow_reader(BATCH_ROWS))
    try:
        con.execute(warehouse.sql_text(f"queries/lake_load_{identifier.replace('.', '_')}.sql"))
    finally:
        con.unregister("lake_rows")


def build_export_marts(lake: Lake, working_copy: Path) -> list[Published]:
    """Build the export marts over the lake in a fresh `working_copy` and replace them in the lake."""
    for stale in (working_copy, working_copy.with_name(working_copy.name + ".wal")):
        stale.unlink(missing_ok=True)
    lake_con = duckdb.connect()
    try:
        present = set(attach_lake(lake_con, lake))
        with warehouse.connect(working_copy) as con:
            for table in EXPORT_TABLES:
                if table.identifier in present:
                    _load(lake_con, con, table.identifier, path_order(table))
            for identifier in GRAPH_INPUTS:
                if identifier in present:
                    _load(lake_con, con, identifier, None)
            mart_builds.build_funnel(con, full=True)
            mart_builds.build_error_codes(con, full=True)
            mart_builds.build_responses(con, full=True)
            con.execute("set TimeZone = 'UTC'")
            published = []
            for identifier in EXPORT_MARTS:
                rows = con.sql(warehouse.sql_text(f"queries/lake_read_{identifier.replace('.', '_')}.sql")).arrow().read_all()
                published.append(Published(identifier, rows.num_rows, lake.replace(identifier, rows, None)))
    finally:
        lake_con.close()
    return published
