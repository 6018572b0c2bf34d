"""For the tests' writer processes: the catalog commit of one table prints `written` (its data
files are written by then) and waits on stdin until the test kills the process."""

from __future__ import annotations

import sys

from pyiceberg.catalog.sql import SqlCatalog


def block_commit_of(identifier: str) -> None:
    commit = SqlCatalog.commit_table

    def commit_unless_blocked(self, table, requirements, updates):
        if ".".join(table.name()) == identifier:
            print("written", flush=True)
            sys.stdin.readline()  # killed while waiting here
            raise SystemExit("not killed")
        return commit(self, table, requirements, updates)

    SqlCatalog.commit_table = commit_unless_blocked  # type: ignore[method-assign]
