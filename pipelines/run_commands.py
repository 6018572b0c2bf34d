"""`mmlens demo`, `mmlens run` and `mmlens sql`."""

from __future__ import annotations

import typer

from pipelines.errors import UsageError
from pipelines.settings import load_settings


def demo(days: int = typer.Option(30, "--days", min=1, max=365, help="Days of history to simulate.")) -> None:
    """Serve the built-in simulator, materialize every asset for the last N days, print the report path."""
    raise UsageError("demo: not available yet")


def run(
    since: str | None = typer.Option(None, "--since", help="First day (YYYY-MM-DD, account time zone)."),
    until: str | None = typer.Option(None, "--until", help="Last day (YYYY-MM-DD, account time zone)."),
    date_preset: str | None = typer.Option(None, "--date-preset", help="A Meta date preset, e.g. last_7d."),
) -> None:
    """Pull from the Graph API, ingest exports, rebuild marts and render the report, through Dagster."""
    settings = load_settings()
    settings.require_for_run()
    raise UsageError("run: not available yet")


def sql(
    query: str = typer.Argument(..., help="A read-only SQL query against the analyst snapshot."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Query the analyst snapshot (analytics.duckdb) read-only."""
    from rich.console import Console

    from pipelines import analyst_sql

    if fmt not in analyst_sql.FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(analyst_sql.FORMATS)}")
    settings = load_settings()
    columns, rows = analyst_sql.run_query(settings.snapshot_path, query)
    analyst_sql.render(columns, rows, fmt, Console(soft_wrap=True, highlight=False))
