"""`mmlens backfill`: lake mode's per-account runs over a date range, N at a time (pipelines/backfill.py)."""

from __future__ import annotations

import typer
from rich.console import Console

from pipelines.cli_numbers import whole_number
from pipelines.errors import UsageError
from pipelines.settings import load_settings

MAX_PARALLEL = 64

console = Console(stderr=True, highlight=False, soft_wrap=True)


def backfill(
    since: str = typer.Option(..., "--since", help="First day (YYYY-MM-DD, account time zone)."),
    until: str = typer.Option(..., "--until", help="Last day (YYYY-MM-DD, account time zone)."),
    parallel: int = typer.Option(4, "--parallel", parser=whole_number("--parallel", 1, MAX_PARALLEL), metavar="INTEGER",
                                 help=f"Runs at once (1 to {MAX_PARALLEL}), through Dagster's run queue."),
) -> None:
    """Lake mode: pull, build and publish every configured ad account's days, one Dagster run per account."""
    from pipelines.cli_dates import parse_range
    from pipelines.run_commands import _check_partitions

    first, last = parse_range(since, until)
    settings = load_settings()
    settings.require_for_run()
    if settings.lake is None:
        raise UsageError("backfill: needs lake mode (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE); "
                         "without it, use mmlens run")
    _check_partitions(first.isoformat(), last.isoformat())
    from pipelines.backfill import run_backfill

    result = run_backfill(settings, first, last, parallel, console)
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"backfill {result.backfill_id}: {len(result.run_ids)} run(s) succeeded, {first}..{last}, "
              f"{parallel} at a time, {result.seconds:.1f} s", markup=False)
