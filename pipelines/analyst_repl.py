"""`mmlens sql` with no query: an interactive prompt on the sandboxed analyst connection.

Built on prompt_toolkit: multi-line input (Enter runs the text once it ends with `;`, Alt-Enter runs
it as it is), completion of SQL keywords and the snapshot's schemas, tables, views and columns, and
a history file `MMLENS_HOME/.sql_history` readable by its owner only (queries can quote personal
data). Each entry is one statement with the same sandbox, time limit and output formats as
`mmlens sql "..."`; an error prints its one line and the prompt continues.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer
from pygments.lexers.sql import SqlLexer
from rich.console import Console

from pipelines import analyst_sandbox, analyst_sql
from pipelines.errors import MmlensError, UsageError

if TYPE_CHECKING:
    from pipelines.lake.config import LakeSettings

HISTORY_FILE = ".sql_history"
EXIT_WORDS = {"exit", "quit", ".exit", ".quit", "\\q"}
# Completion words may be qualified (`marts.campaign_daily`).
_WORD = re.compile(r"[\w.]+")

_NAMES_QUERY = """
    select schema_name from duckdb_schemas()
    union select table_name from duckdb_tables()
    union select schema_name || '.' || table_name from duckdb_tables()
    union select view_name from duckdb_views() where not internal
    union select schema_name || '.' || view_name from duckdb_views() where not internal
    union select column_name from duckdb_columns()
    union select keyword_name from duckdb_keywords()
"""


def run_interactive(snapshot: Path, home: Path, fmt: str, time_limit: float, lake: LakeSettings | None = None) -> None:
    """The prompt in this terminal until Ctrl-D or `exit` (over the lake's tables in lake mode)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("sql: give a query, or run `mmlens sql` in a terminal for the interactive prompt")
    con, notice = analyst_sql.open_analyst(snapshot, lake)
    try:
        session = make_session(con, home / HISTORY_FILE)
        out = Console(soft_wrap=True, highlight=False)
        err = Console(stderr=True, soft_wrap=True, highlight=False)
        if notice:
            err.print(notice, markup=False)
        out.print("mmlens sql: one statement per entry, ending with ';'. Ctrl-D or exit to leave.", markup=False)
        loop(session, con, fmt, time_limit, out, err)
    finally:
        con.close()


def make_session(con: duckdb.DuckDBPyConnection, history: Path, **io: object) -> PromptSession:
    """A multi-line prompt with completion and a private history file; `io` passes input/output."""
    fd = os.open(history, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(history, 0o600)
    names = sorted(row[0] for row in con.execute(_NAMES_QUERY).fetchall() if row[0])
    return PromptSession(
        message="sql> ",
        prompt_continuation="...> ",
        multiline=True,
        key_bindings=_enter_runs_a_finished_statement(),
        completer=WordCompleter(names, ignore_case=True, pattern=_WORD),
        lexer=PygmentsLexer(SqlLexer),
        history=FileHistory(str(history)),
        **io,
    )


def _enter_runs_a_finished_statement() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _(event) -> None:
        buffer = event.current_buffer
        text = buffer.text.strip()
        if not text or text.endswith(";") or text.lower() in EXIT_WORDS:
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    return bindings


def loop(
    session: PromptSession, con: duckdb.DuckDBPyConnection, fmt: str, time_limit: float, out: Console, err: Console
) -> None:
    """Read, run and print entries until end of input or an exit word."""
    while True:
        try:
            text = session.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the entry, as in a shell
        except EOFError:
            return
        if text.strip().rstrip(";").strip().lower() in EXIT_WORDS:
            return
        if not text.strip():
            continue
        try:
            columns, rows = analyst_sandbox.execute_one(con, text, time_limit)
        except MmlensError as error:
            err.print(f"mmlens: {error}", markup=False)
            continue
        except KeyboardInterrupt:
            err.print("mmlens: sql: interrupted", markup=False)
            continue
        analyst_sql.render(columns, rows, fmt, out)
