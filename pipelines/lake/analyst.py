"""The analyst connection in lake mode: the lake's tables, read where they are, inside the sandbox.

In lake mode no analyst snapshot is copied: `mmlens sql` opens an in-memory DuckDB with the same
sandbox as the snapshot's (`pipelines.analyst_sandbox.SANDBOX_CONFIG`: no file or URL access, no
extensions, settings locked, memory and threads capped), shows each lake table at its current
snapshot under its warehouse name, and creates the analyst views of `sql/views/` over them.

Caveats: each table is read whole into memory when the connection opens (pyiceberg to Arrow:
`pipelines.lake.query`), outside DuckDB's memory cap; a view whose tables the lake does not hold
is left out and named in `unavailable`; tables holding personal identifiers or raw text
(`pipelines.warehouse.PSEUDONYMISED_COPIES`) are never shown here, since the snapshot shows them
only pseudonymised.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.analyst_sandbox import SANDBOX_CONFIG
from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings
from pipelines.lake.query import attach_lake
from pipelines.warehouse import PSEUDONYMISED_COPIES, VIEWS_DIR

HIDDEN_TABLES = frozenset(f"{schema}.{table}" for schema, table in PSEUDONYMISED_COPIES)


@dataclass
class LakeConnection:
    con: duckdb.DuckDBPyConnection
    tables: list[str]  # what the analyst sees, `schema.table`
    unavailable: list[str]  # views of sql/views/ left out: a table they read is not in the lake


def open_lake(settings: LakeSettings) -> LakeConnection:
    """A sandboxed in-memory connection over the lake's tables and the analyst views."""
    con = duckdb.connect(":memory:", config=dict(SANDBOX_CONFIG))
    try:
        tables = attach_lake(con, Lake(settings), exclude=HIDDEN_TABLES)
        unavailable = []
        for path in sorted(VIEWS_DIR.glob("*.sql")):
            try:
                con.execute(path.read_text(encoding="utf-8"))
            except duckdb.CatalogException:
                unavailable.append(path.stem)
    except BaseException:
        con.close()
        raise
    return LakeConnection(con, tables, unavailable)
