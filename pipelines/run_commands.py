"""`mmlens demo`, `mmlens run` and `mmlens sql`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer
from rich.console import Console

from pipelines.cli_numbers import whole_number
from pipelines.errors import UsageError
from pipelines.settings import Settings, load_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)

DEMO_SEED = 7
DEMO_TOKEN = "mmlens-demo-token"


def _resolve_range(settings: Settings, since: str | None, until: str | None, date_preset: str | None) -> tuple[str, str]:
    """Partition keys start..end for the run. A preset is resolved in each account's own time zone
    (read from the account node) and the run covers the union of the accounts' ranges."""
    from pipelines.cli_dates import parse_range

    if date_preset is not None:
        if since is not None or until is not None:
            raise UsageError("run: give either --since/--until or --date-preset, not both")
        return _preset_range(settings, date_preset)
    if since is None or until is None:
        raise UsageError("run: give --since and --until (YYYY-MM-DD), or --date-preset")
    start, end = parse_range(since, until)
    return start.isoformat(), end.isoformat()


def _preset_range(settings: Settings, preset: str, now: dt.datetime | None = None) -> tuple[str, str]:
    """The union of the preset's ranges in each account's own time zone, at `now` (default: the clock)."""
    from pipelines.graph import pull
    from pipelines.graph.accounts import fetch_account
    from pipelines.graph.dates import DATE_PRESETS, preset_range

    if preset not in DATE_PRESETS:
        raise UsageError(f"--date-preset: {preset!r} is not one of {', '.join(DATE_PRESETS)}")
    with pull.make_client(settings) as client:
        accounts = pull.for_each_account(settings.ad_account_ids, lambda a: fetch_account(client, a))
    ranges = [preset_range(preset, a.timezone_name, now) for a in accounts]
    return min(r[0] for r in ranges).isoformat(), max(r[1] for r in ranges).isoformat()


def _check_partitions(start: str, end: str, now: dt.datetime | None = None) -> None:
    """Refuse, before any run starts, a range Dagster cannot record or Meta cannot answer.

    The last partition is today in UTC (`end_offset=1`). Meta refuses a start more than 37 months
    before the account's today (error 3018); without reading every account's time zone, the test
    here uses the zone furthest behind UTC, so what it refuses every account refuses. The exact
    per-account limit is checked again when each account is pulled.
    """
    from pipelines.graph.dates import RETENTION_MONTHS, oldest_insights_day
    from pipelines.partitions import PARTITIONS_START  # Dagster: imported only by the commands that run it

    now = now or dt.datetime.now(dt.timezone.utc)
    last_partition = now.date().isoformat()
    if start < PARTITIONS_START:
        raise UsageError(f"run: {start} is before the first partition ({PARTITIONS_START})")
    if end > last_partition:
        raise UsageError(f"run: {end} is after the last partition ({last_partition}, today in UTC)")
    oldest = oldest_insights_day("Etc/GMT+12", now).isoformat()
    if start < oldest:
        raise UsageError(
            f"run: {start} is more than {RETENTION_MONTHS} months ago; Meta keeps insights from {oldest} (error 3018)"
        )


def _summary(settings: Settings) -> None:
    out = Console(highlight=False, soft_wrap=True)
    latest = settings.reports_dir / "latest.html"
    if latest.exists():
        out.print(f"report: {latest.resolve()}", markup=False)
    if settings.snapshot_path.exists():
        out.print(f"analyst snapshot: {settings.snapshot_path.resolve()}", markup=False)


def run(
    since: str | None = typer.Option(None, "--since", help="First day (YYYY-MM-DD, account time zone)."),
    until: str | None = typer.Option(None, "--until", help="Last day (YYYY-MM-DD, account time zone)."),
    date_preset: str | None = typer.Option(None, "--date-preset", help="A Meta date preset, e.g. last_7d."),
) -> None:
    """Pull from the Graph API, ingest exports, rebuild marts and render the report, through Dagster."""
    from pipelines import launch

    settings = load_settings()
    settings.require_for_run()
    start, end = _resolve_range(settings, since, until, date_preset)
    _check_partitions(start, end)
    launch.run_partition_range(settings, "daily_job", start, end, console)
    _summary(settings)


def demo(days: int = typer.Option(30, "--days", parser=whole_number("--days"), metavar="INTEGER",
                                  help="Days of history to simulate (1 to 365).")) -> None:
    """Serve the built-in simulator, materialize every asset for the last N days, print the report path."""
    # Checked here rather than with typer's min/max so that a bad value is a one-line usage error.
    if not 1 <= days <= 365:
        raise UsageError(f"--days: {days} is out of range (1 to 365)")
    from pipelines import launch
    from pipelines.resources import graph_run_config
    from pipelines.simulator.export import export
    from pipelines.simulator.server import running_simulator
    from pipelines.simulator.world import World, WorldSize

    home = load_settings().home
    today = dt.datetime.now(dt.timezone.utc).date()
    world = World(seed=DEMO_SEED, size=WorldSize(days=days + 1), today=today)
    with running_simulator(seed=DEMO_SEED, world=world, today=today, access_token=DEMO_TOKEN) as base_url:
        accounts = ",".join(a.account_id for a in world.accounts)
        os.environ.update({
            "META_GRAPH_URL": base_url,
            "META_ACCESS_TOKEN": DEMO_TOKEN,
            "META_AD_ACCOUNT_IDS": accounts,
            "MMLENS_HOME": str(home),
        })
        os.environ.pop("META_APP_SECRET", None)
        settings = load_settings()
        console.print(f"simulator serving {len(world.accounts)} ad accounts at {base_url}", markup=False)
        start = today - dt.timedelta(days=days)
        end = today - dt.timedelta(days=1)
        stats = export(world, settings.home, start, end)
        console.print(f"exported {stats.events} webhook events and {stats.sends} send attempts", markup=False)
        # The local simulator finishes report runs in moments: the Graph resource polls it often.
        launch.run_partition_range(settings, "daily_job", start.isoformat(), end.isoformat(), console,
                                   run_config=graph_run_config(poll_initial_seconds=0.1, poll_max_seconds=0.5))
    _summary(settings)
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"open the Dagster UI: MMLENS_HOME={Path(settings.home).resolve()} make dev", markup=False)


def sql(
    query: str | None = typer.Argument(
        None, help="One read-only SQL statement against the analyst snapshot; without it, an interactive prompt."
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds a statement may run before it is interrupted."),
) -> None:
    """Query the analyst snapshot (analytics.duckdb), or in lake mode the lake's tables, read-only, inside a
    sandbox (see docs/analysts.md)."""
    from pipelines import analyst_sql

    if fmt not in analyst_sql.FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(analyst_sql.FORMATS)}")
    if not 0 < timeout <= 86_400:
        raise UsageError("--timeout: give seconds above 0 and at most 86400")
    settings = load_settings()
    if query is None:
        from pipelines import analyst_repl

        analyst_repl.run_interactive(settings.snapshot_path, settings.home, fmt, timeout, settings.lake)
        return
    columns, rows = analyst_sql.run_query(settings.snapshot_path, query, timeout, settings.lake)
    analyst_sql.render(columns, rows, fmt, Console(soft_wrap=True, highlight=False))
