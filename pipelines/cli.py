"""The `mmlens` console script (typer + rich).

Exit codes: 0 success, 2 bad usage or configuration (one line on stderr), 1 anything else.
"""

from __future__ import annotations

import os
import sys
import warnings

import click
import typer
from rich.console import Console

from pipelines.errors import MmlensError

app = typer.Typer(
    name="mmlens",
    help="Analytics for Meta's Marketing Messages API for Messenger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# click's ClickException, and typer's bundled copy of it (the base class of typer.BadParameter).
USAGE_EXCEPTIONS = tuple({click.ClickException, *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")})
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _register_commands() -> None:
    # Imported here so that `mmlens --help` lists every command family in one place.
    from pipelines.commands import register

    register(app)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _help_hint(error: Exception) -> str:
    """` (see mmlens demo --help)` for a usage error raised while parsing a command's arguments."""
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return ""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return f" (see {' '.join(['mmlens', *reversed(names), '--help'])})"


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning expected errors into one line and an exit code."""
    # Dagster's beta/preview notices are for library authors, not for people running mmlens.
    warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")
    _register_commands()
    try:
        result = app(args=argv, standalone_mode=False)
    except MmlensError as error:
        err_console.print(f"mmlens: {error}", markup=False)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("mmlens: aborted", markup=False)
        return 1
    except Exception as error:
        # Usage errors (bad option values, missing arguments) carry exit code 2 and become one
        # line, like every other error. typer bundles its own click: its ClickException differs.
        if isinstance(error, USAGE_EXCEPTIONS):
            message = _one_line(error.format_message()).rstrip(".")
            if message:
                err_console.print(f"mmlens: {message}{_help_hint(error)}", markup=False)
            else:  # `mmlens webhooks` alone: the help is the answer, as click shows it
                error.show()
            return error.exit_code
        if os.environ.get("MMLENS_DEBUG"):
            raise
        err_console.print(f"mmlens: unexpected {type(error).__name__}: {error}", markup=False)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
