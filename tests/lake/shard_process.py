"""An ingestion shard in its own process, killed by the test while one table's commit waits.

    python -m tests.lake.shard_process WORKING_COPY EXPORTS CATALOG_URI LAKE_FOLDER FOLDER BLOCK_AT

Runs the shard owning FOLDER like `run_shard` does, but the commit of table BLOCK_AT prints
`written` (its data files are written by then) and waits on stdin until the process is killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.lake.catalog import Lake
from pipelines.lake.config import parse_lake_settings
from pipelines.lake.shards import Shard, run_shard
from tests.lake.blocked_commit import block_commit_of


def main(argv: list[str]) -> None:
    working_copy, exports, uri, folder, owned, block_at = argv
    settings = parse_lake_settings({"MMLENS_LAKE_CATALOG_URI": uri, "MMLENS_LAKE_WAREHOUSE": folder}.get)
    assert settings is not None
    block_commit_of(block_at)
    run_shard(Path(working_copy), Path(exports), Lake(settings), Shard(folder=owned))


if __name__ == "__main__":
    main(sys.argv[1:])
