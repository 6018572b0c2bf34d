"""`mmlens lake ...` commands (lake mode only: `docs/deploy.md`)."""

from __future__ import annotations

import datetime as dt

import typer
from rich.console import Console

from pipelines.cli_numbers import whole_number
from pipelines.errors import UsageError

app = typer.Typer(no_args_is_help=True)


@app.command()
def maintain(
    keep_days: int = typer.Option(7, parser=whole_number("--keep-days", low=0, high=36_500), metavar="INTEGER",
                                  help="Expire snapshots older than this many days."),
    keep_last: int = typer.Option(1, parser=whole_number("--keep-last", low=1, high=1_000_000), metavar="INTEGER",
                                  help="Keep at least this many newest snapshots of each table, whatever their age."),
    grace_hours: int = typer.Option(24, parser=whole_number("--grace-hours", low=1, high=8_760), metavar="INTEGER",
                                    help="Delete unreferenced files only when older than this (writers in flight "
                                         "write their files before committing them)."),
) -> None:
    """Expire old snapshots of every lake table and delete the files no snapshot reads any more."""
    from pipelines.settings import load_settings

    settings = load_settings()
    if settings.lake is None:
        raise UsageError("lake maintain: lake mode is off (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)")
    from pipelines.lake.catalog import Lake
    from pipelines.lake.maintenance import maintain as run_maintenance

    done = run_maintenance(Lake(settings.lake), dt.datetime.now(dt.timezone.utc), keep_days=keep_days,
                           keep_last=keep_last, grace=dt.timedelta(hours=grace_hours))
    out = Console(highlight=False, soft_wrap=True)
    for table in done:
        out.print(f"{table.identifier}: {table.snapshots_expired} snapshots expired, {table.snapshots_kept} kept, "
                  f"{table.files_deleted} files deleted ({table.bytes_deleted:,} bytes)", markup=False)
    if not done:
        out.print("the lake has no tables yet", markup=False)
