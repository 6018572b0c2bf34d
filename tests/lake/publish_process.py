"""A run's publish step in its own process, killed by the test while one table's commit waits.

    python -m tests.lake.publish_process WAREHOUSE_DB CATALOG_URI LAKE_FOLDER ACCOUNT SINCE UNTIL BLOCK_AT

Publishes ACCOUNT's windows like `lake_tables` does, but the commit of table BLOCK_AT prints
`written` (its data files are written by then) and waits on stdin until the process is killed.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from pipelines import warehouse
from pipelines.lake.catalog import Lake
from pipelines.lake.config import parse_lake_settings
from pipelines.lake.publish import publish_run
from tests.lake.blocked_commit import block_commit_of


def main(argv: list[str]) -> None:
    database, uri, folder, account, since, until, block_at = argv
    settings = parse_lake_settings({"MMLENS_LAKE_CATALOG_URI": uri, "MMLENS_LAKE_WAREHOUSE": folder}.get)
    assert settings is not None
    block_commit_of(block_at)
    with warehouse.connect(Path(database), read_only=True) as con:
        publish_run(con, Lake(settings), (account,), dt.date.fromisoformat(since), dt.date.fromisoformat(until))


if __name__ == "__main__":
    main(sys.argv[1:])
