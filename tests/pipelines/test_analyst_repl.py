"""The interactive `mmlens sql` prompt, fed through prompt_toolkit's pipe input (no terminal)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from pipelines import analyst_repl, analyst_sandbox


def session_output(snapshot: Path, home: Path, keys: str) -> tuple[str, str]:
    """Type `keys` into the prompt on the sandboxed snapshot; returns (stdout, stderr) as printed."""
    con = analyst_sandbox.open_snapshot(snapshot)
    out, err = io.StringIO(), io.StringIO()
    try:
        with create_pipe_input() as keyboard:
            keyboard.send_text(keys)
            session = analyst_repl.make_session(con, home / analyst_repl.HISTORY_FILE, input=keyboard, output=DummyOutput())
            analyst_repl.loop(session, con, "csv", 5.0, Console(file=out, soft_wrap=True), Console(file=err, soft_wrap=True))
    finally:
        con.close()
    return out.getvalue(), err.getvalue()


def test_multi_line_entries_run_when_they_end_with_a_semicolon(snapshot: Path, home: Path) -> None:
    out, err = session_output(snapshot, home, "select ad_account_id,\r  currency\r  from raw.ad_accounts;\rexit\r")
    assert out == "ad_account_id,currency\n123456789012345678,JPY\n" and err == ""


def test_an_error_is_one_line_and_the_prompt_goes_on(snapshot: Path, home: Path) -> None:
    db = home / "warehouse.duckdb"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    keys = f"attach '{db}' as w;\rselect 1; select 2;\rset threads = 8;\rselect 42 as answer;\r"
    out, err = session_output(snapshot, home, keys + "\x04")  # Ctrl-D leaves
    assert out == "answer\n42\n"
    lines = err.splitlines()
    assert len(lines) == 3
    assert "Permission Error" in lines[0]
    assert lines[1] == "mmlens: sql: one statement per call, got 2"
    assert "locked" in lines[2]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_history_is_kept_for_the_owner_only(snapshot: Path, home: Path) -> None:
    session_output(snapshot, home, "select 7 as seven;\rquit\r")
    history = home / analyst_repl.HISTORY_FILE
    assert history.stat().st_mode & 0o777 == 0o600
    assert "+select 7 as seven;" in history.read_text(encoding="utf-8").splitlines()


def test_completion_offers_the_snapshot_tables(snapshot: Path, home: Path) -> None:
    con = analyst_sandbox.open_snapshot(snapshot)
    try:
        with create_pipe_input() as keyboard:
            session = analyst_repl.make_session(con, home / analyst_repl.HISTORY_FILE, input=keyboard, output=DummyOutput())
            words = {c.text for c in session.completer.get_completions(Document("select * from raw.ad_"), None)}
    finally:
        con.close()
    assert "raw.ad_accounts" in words


def test_without_a_terminal_no_query_is_a_usage_error(snapshot: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "sql"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "mmlens: sql: give a query, or run `mmlens sql` in a terminal for the interactive prompt"
