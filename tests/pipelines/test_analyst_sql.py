"""`mmlens sql` reads the snapshot read-only and prints table, CSV or JSON; bad queries are one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def mmlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, timeout=120)


def test_json_output_keeps_ids_exact_and_text_verbatim(snapshot: Path) -> None:
    done = mmlens("sql", "select ad_account_id, account_name from raw.ad_accounts", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"ad_account_id": "123456789012345678", "account_name": "<b>Ünïcødé 🎉</b>"}]


def test_csv_output(snapshot: Path) -> None:
    done = mmlens("sql", "select currency, currency_offset from raw.ad_accounts", "--format", "csv")
    assert done.stdout.splitlines() == ["currency,currency_offset", "JPY,1"]


def test_table_output_shows_markup_as_text(snapshot: Path) -> None:
    done = mmlens("sql", "select account_name from raw.ad_accounts")
    assert done.returncode == 0
    assert "<b>Ünïcødé 🎉</b>" in done.stdout and "1 row" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("select * from no_such_table",), "mmlens: sql: Catalog Error"),
        (("delete from raw.ad_accounts",), "mmlens: sql:"),
        (("select 1", "--format", "xml"), "--format: 'xml' is not one of"),
    ],
)
def test_bad_queries_exit_2_with_one_line(snapshot: Path, args: tuple[str, ...], message: str) -> None:
    done = mmlens("sql", *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr


def test_missing_snapshot_is_a_clear_error(home: Path) -> None:
    done = mmlens("sql", "select 1")
    assert done.returncode == 2 and "no analyst snapshot" in done.stderr
