"""The lake's tables against a single-file warehouse: row for row, every table the lake holds."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings
from pipelines.lake.publish import LAKE_TABLES
from pipelines.lake.query import attach_lake


def assert_lake_equals_warehouse(settings: LakeSettings, warehouse: Path) -> None:
    """Each lake table holds exactly the warehouse's rows (and the warehouse has some)."""
    con = duckdb.connect()
    attach_lake(con, Lake(settings))
    expected = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table in LAKE_TABLES:
            want = expected.sql(f"select * from {table.identifier} order by all").fetchall()
            assert want, table.identifier
            assert con.sql(f"select * from {table.identifier} order by all").fetchall() == want, table.identifier
    finally:
        expected.close()
        con.close()
