"""A lake writer in its own process, for the tests of concurrent and interrupted writes.

    python -m tests.lake.writer_process CATALOG_URI WAREHOUSE ACCOUNT FIRST_DAY DAYS [--hang-before-commit]

Opens the lake, prints `ready`, waits for a line on stdin (so that several writers start at the
same moment), then replaces ACCOUNT's window of `raw.daily` one day per commit and prints the
commit attempts of each. With --hang-before-commit it writes the first day's data files, prints
`written`, and blocks before the catalog commit until it is killed.
"""

from __future__ import annotations

import datetime as dt
import sys

from pyiceberg.catalog.sql import SqlCatalog

from pipelines.lake.catalog import Lake, Window
from pipelines.lake.config import parse_lake_settings
from tests.lake.rows import daily_rows


def main(argv: list[str]) -> None:
    uri, warehouse, account, first, days = argv[:5]
    hang = "--hang-before-commit" in argv
    env = {"MMLENS_LAKE_CATALOG_URI": uri, "MMLENS_LAKE_WAREHOUSE": warehouse}
    settings = parse_lake_settings(env.get)
    assert settings is not None
    lake = Lake(settings)
    start = dt.date.fromisoformat(first)
    if hang:
        def blocked_commit(*args, **kwargs):
            print("written", flush=True)
            sys.stdin.readline()  # the test kills us while we wait here
            raise SystemExit("not killed")
        SqlCatalog.commit_table = blocked_commit  # type: ignore[method-assign]
    print("ready", flush=True)
    sys.stdin.readline()
    for offset in range(int(days)):
        day = start + dt.timedelta(days=offset)
        rows = daily_rows(account, day, spend=f"{offset + 1}.2500", delivered=100 + offset)
        attempts = lake.replace("raw.daily", rows, Window((account,), "date", since=day, until=day))
        print(f"{day.isoformat()} {attempts}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
