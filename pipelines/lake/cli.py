"""`mmlens lake ...` commands (lake mode only: `docs/deploy.md`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from pipelines.cli_numbers import whole_number
from pipelines.errors import UsageError

if TYPE_CHECKING:
    from pipelines.lake.config import LakeSettings
    from pipelines.settings import Settings

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


def _lake_settings(command: str) -> tuple[Settings, LakeSettings]:
    from pipelines.settings import load_settings

    settings = load_settings()
    if settings.lake is None:
        raise UsageError(f"lake {command}: lake mode is off (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE)")
    return settings, settings.lake


@app.command()
def ingest(
    folder: str | None = typer.Option(None, help="Only the export files under this folder of MMLENS_HOME/exports "
                                          "(a receiver's: webhooks/a, or sends)."),
    part: str | None = typer.Option(None, help="Only part k of n of those files, e.g. 2/4 (split by a hash of the path)."),
    working_copy: str | None = typer.Option(None, help="The shard's DuckDB working copy, kept between runs "
                                                "(default: MMLENS_HOME/lake-shards/<folder>-<k>-of-<n>.duckdb)."),
) -> None:
    """Ingest one shard of the exports into its working copy and publish its files to the lake's export tables."""
    from pathlib import Path

    from pipelines.lake.shards import Shard

    settings, lake_settings = _lake_settings("ingest")
    shard = Shard.parse(part, folder)
    if working_copy is None:
        name = (shard.folder or "all").strip("/").replace("/", "-") + f"-{shard.part}-of-{shard.parts}"
        path = settings.home / "lake-shards" / f"{name}.duckdb"
    else:
        path = Path(working_copy)
    path.parent.mkdir(parents=True, exist_ok=True)
    from pipelines.lake.catalog import Lake
    from pipelines.lake.shards import run_shard

    run = run_shard(path, settings.exports_dir, Lake(lake_settings), shard)
    out = Console(highlight=False, soft_wrap=True)
    for source, stats in (("webhooks", run.webhooks), ("sends", run.sends)):
        out.print(f"{source}: {stats.files} files, {stats.lines_read:,} lines read, {stats.events_landed:,} events landed, "
                  f"{stats.events_kept:,} kept, {stats.events_quarantined:,} quarantined", markup=False)
    for table in run.published:
        out.print(f"{table.identifier}: {table.rows:,} rows published ({table.attempts} commit attempts)", markup=False)


@app.command()
def marts(
    working_copy: str | None = typer.Option(None, help="A scratch DuckDB file for the build, replaced each time "
                                                "(default: MMLENS_HOME/lake-marts.duckdb)."),
) -> None:
    """Build the funnel, error-code and responses marts over the lake's export tables and replace them in the lake."""
    from pathlib import Path

    settings, lake_settings = _lake_settings("marts")
    from pipelines.lake.catalog import Lake
    from pipelines.lake.export_marts import build_export_marts

    path = settings.home / "lake-marts.duckdb" if working_copy is None else Path(working_copy)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = Console(highlight=False, soft_wrap=True)
    for table in build_export_marts(Lake(lake_settings), path):
        out.print(f"{table.identifier}: {table.rows:,} rows ({table.attempts} commit attempts)", markup=False)
