"""A migrated in-memory warehouse per test: the mart builds' own SQL on a few hand-written rows, in
milliseconds (the asset tests in tests/assets run the same builds through Dagster)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from pipelines import warehouse


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    warehouse.migrate(connection)
    yield connection
    connection.close()
