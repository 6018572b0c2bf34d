"""`mmlens sql` cannot leave the snapshot: every escape is refused with one line (exit 2), the
warehouse stays byte-identical and no file appears anywhere under the test's folder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines import warehouse


@pytest.fixture
def home(home: Path, snapshot: Path) -> Path:
    """A home with a warehouse, its snapshot and the folder webhook exports are read from."""
    (home / "exports" / "webhooks").mkdir(parents=True)
    return home


def mmlens(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    # HOME inside the test folder, so an extension download or a secret store would show up there.
    env = {**os.environ, "HOME": str(tmp / "user")}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "sql", *args], capture_output=True, text=True, timeout=120, env=env
    )


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with the sha256 of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


ESCAPES = [
    "attach '{home}/warehouse.duckdb' as w",
    "attach '{home}/warehouse.duckdb' as w (read_only)",
    "attach '{tmp}/new.duckdb' as n",
    "copy raw.ad_accounts to '{home}/exports/webhooks/forged.ndjson'",
    "copy (select 1) to '/dev/stdout'",
    "export database '{tmp}/dump'",
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from read_blob('{home}/warehouse.duckdb')",
    "select * from glob('{tmp}/*')",
    "select * from read_parquet('https://example.com/x.parquet')",
    "set memory_limit = '64GB'",
    "reset threads",
    "pragma threads = 64",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "set allowed_directories = ['/']",
    "set temp_directory = '{tmp}/spill'",
    "install httpfs",
    "load httpfs",
    "select 1; attach '{home}/warehouse.duckdb' as w",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_escape_is_refused_and_changes_nothing(home: Path, tmp_path: Path, template: str) -> None:
    before = tree(tmp_path)
    done = mmlens(template.format(home=home, tmp=tmp_path), tmp=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mmlens: sql: "), done.stderr
    assert any(word in lines[0] for word in ("Permission Error", "locked", "one statement per call")), lines[0]
    assert done.stdout == ""
    assert tree(tmp_path) == before  # warehouse and snapshot byte-identical, no new file


def test_the_locks_are_in_force_before_the_first_statement(home: Path, tmp_path: Path) -> None:
    query = """select current_setting('enable_external_access') as external_access,
                      current_setting('lock_configuration') as locked,
                      current_setting('autoinstall_known_extensions') as autoinstall,
                      current_setting('autoload_known_extensions') as autoload,
                      current_setting('threads') as threads,
                      current_setting('memory_limit') as memory_limit,
                      current_setting('temp_directory') as temp_directory"""
    done = mmlens(query, "--format", "json", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{
        "external_access": False, "locked": True, "autoinstall": False, "autoload": False,
        "threads": 2, "memory_limit": "1.8 GiB", "temp_directory": "",
    }]


@pytest.mark.parametrize("query", ["", "   \n\t", "/* only a comment */", ";;"])
def test_empty_query_is_a_usage_error(home: Path, tmp_path: Path, query: str) -> None:
    done = mmlens(query, tmp=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "the query is empty" in done.stderr


def test_several_statements_are_refused_before_any_runs(home: Path, tmp_path: Path) -> None:
    done = mmlens("select 1; select 2", tmp=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == "mmlens: sql: one statement per call, got 2"


def test_a_query_past_its_time_limit_is_interrupted(home: Path, tmp_path: Path) -> None:
    done = mmlens("select count(*) from range(1000000000000000)", "--timeout", "0.2", tmp=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == "mmlens: sql: interrupted after the time limit of 0.2 s"


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_timeout_must_be_a_positive_number_of_seconds(home: Path, tmp_path: Path, timeout: str) -> None:
    done = mmlens("select 1", "--timeout", timeout, tmp=tmp_path)
    assert done.returncode == 2 and "--timeout" in done.stderr


def test_a_result_too_large_to_hold_is_an_error(home: Path, tmp_path: Path) -> None:
    done = mmlens("select * from range(100001)", "--format", "csv", tmp=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "more than 100000 rows" in done.stderr


CONTROL_QUERY = "select chr(27) || '[31mred' || chr(10) || 'x' || chr(155) || chr(8238) as \"col\x1b[2J\""


def test_control_characters_are_escaped_in_table_output(home: Path, tmp_path: Path) -> None:
    done = mmlens(CONTROL_QUERY, tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    # A line break stays inside its bordered cell; every other control is an escape.
    assert "\\x1b[31mred" in done.stdout and "x\\x9b\\u202e" in done.stdout and "col\\x1b[2J" in done.stdout
    assert not any(c in done.stdout for c in "\x1b\x9b\u202e")


def test_control_characters_are_escaped_in_csv_output(home: Path, tmp_path: Path) -> None:
    done = mmlens(CONTROL_QUERY, "--format", "csv", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "col\\x1b[2J\n\\x1b[31mred\\nx\\x9b\\u202e\n"


def test_json_output_keeps_the_exact_value_without_raw_controls(home: Path, tmp_path: Path) -> None:
    done = mmlens(CONTROL_QUERY, "--format", "json", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"col\x1b[2J": "\x1b[31mred\nx\x9b\u202e"}]
    assert not any(c in done.stdout for c in "\x1b\x9b\u202e")


def test_error_lines_escape_the_analysts_text(home: Path, tmp_path: Path) -> None:
    done = mmlens('select * from "no\x1b[2Jtable"', tmp=tmp_path)
    assert done.returncode == 2 and "\x1b" not in done.stderr and "no\\x1b[2Jtable" in done.stderr


def test_a_reader_holding_the_snapshot_never_blocks_the_pipeline(home: Path) -> None:
    """A sandboxed reader that tried to attach the warehouse holds no lock on it: a writer opens it
    without waiting and a new snapshot is published while the reader keeps its old copy."""
    db, snapshot = home / "warehouse.duckdb", home / "analytics.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from pipelines import analyst_sandbox
            con = analyst_sandbox.open_snapshot(Path({str(snapshot)!r}))
            try:
                con.execute("attach '{db}' as w (read_only)")
            except Exception as error:
                print(type(error).__name__, flush=True)
            sys.stdin.readline()
            print(con.execute("select count(*) from raw.ad_accounts").fetchone()[0], flush=True)
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "PermissionException"
        con = warehouse.open_duckdb(db, wait_seconds=0)  # raises at once if any lock were held
        try:
            con.execute("insert into raw.ad_accounts values ('2', 'Other', 'USD', 100, 'UTC', 1)")
        finally:
            con.close()
        warehouse.publish_snapshot(db, snapshot)
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0


def test_snapshot_is_readable_by_owner_and_group_only(home: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = warehouse.publish_snapshot(home / "warehouse.duckdb", home / "analytics.duckdb")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o640
    assert (home / ".snapshot-build").stat().st_mode & 0o777 == 0o700
    assert not list((home / ".snapshot-build").iterdir())


def test_environment_secrets_are_out_of_reach(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_ACCESS_TOKEN", "canary-token-5f1e")
    done = mmlens("select getenv('META_ACCESS_TOKEN')", tmp=tmp_path)
    assert done.returncode == 2 and "canary-token-5f1e" not in done.stdout + done.stderr
