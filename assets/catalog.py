"""What the Dagster UI says about every asset beyond its group, kinds and description: owner,
tags, code version, a link to its code, and for the warehouse tables their name and columns.

Column types come from the migrations themselves (applied to an in-memory DuckDB when the code
location loads), so the schema shown is the one the warehouse has; meanings are in
`assets/columns.py`. The report (an HTML file) and the analyst snapshot (a database file) are not
tables and carry neither."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache

import dagster as dg
import duckdb

from assets.columns import COLUMNS
from pipelines import warehouse

OWNERS = ["team:mmlens"]
# Bump an asset's version when a change of its code changes what it writes, so the UI marks
# what depends on it as changed.
CODE_VERSION = "1"
LAYERS = {"meta_graph": "raw", "exports": "raw", "marts": "mart", "reports": "report", "publish": "publish"}
SOURCES = {"meta_graph": "graph_api", "exports": "exports"}


@cache
def table_columns() -> dict[str, list[tuple[str, str]]]:
    """Every raw and mart table's columns and DuckDB types, from the migrations."""
    con = duckdb.connect(":memory:")
    try:
        warehouse.migrate(con)
        rows = con.execute(warehouse.sql_text("queries/select_table_columns.sql")).fetchall()
    finally:
        con.close()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append((column, kind))
    return tables


def column_schema(table: str) -> dg.TableSchema:
    meanings = COLUMNS.get(table, {})
    return dg.TableSchema(columns=[dg.TableColumn(name, kind.lower(), description=meanings.get(name))
                                   for name, kind in table_columns()[table]])


def _describe(spec: dg.AssetSpec) -> dg.AssetSpec:
    group = spec.group_name or ""
    tags = {"layer": LAYERS.get(group, group), "source": SOURCES.get(group, "warehouse")}
    metadata = {}
    table = ".".join(spec.key.path)
    if table in table_columns():
        metadata = {"dagster/table_name": table, "dagster/column_schema": column_schema(table)}
    return spec.replace_attributes(owners=OWNERS, code_version=spec.code_version or CODE_VERSION).merge_attributes(
        tags=tags, metadata=metadata)


def describe(assets_defs: Sequence[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """The assets with owners, tags, code versions, table names, column schemas and code references."""
    described = [a.map_asset_specs(_describe) for a in assets_defs]
    with warnings.catch_warnings():
        # Code references are a beta API; the warning would print on every load of the location.
        warnings.simplefilter("ignore", dg.BetaWarning)
        return list(dg.with_source_code_references(described))
