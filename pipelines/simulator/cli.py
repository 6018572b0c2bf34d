"""`mmlens simulator ...` commands.

Every command selects its world with the same options (`--seed`, `--today`, `--accounts`,
`--campaigns`, `--days`, `--sends`) through `build_world`, so the same options mean the same
world for `serve`, `export`, `deliver` and `truth`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from pipelines.errors import UsageError

app = typer.Typer(no_args_is_help=True)

SEED = typer.Option(7, "--seed", help="World seed: the same seed gives the same world.")
TODAY = typer.Option(None, "--today", help="The world's current UTC date (YYYY-MM-DD); default: today.")
ACCOUNTS = typer.Option(2, "--accounts", min=1, max=64, help="Ad accounts in the world.")
CAMPAIGNS = typer.Option(6, "--campaigns", min=1, max=500, help="Message campaigns per ad account.")
DAYS = typer.Option(90, "--days", min=1, max=1100, help="Days of history, ending yesterday.")
SENDS = typer.Option(120, "--sends", min=1, max=1_000_000, help="Nominal sends per campaign and day.")
SINCE = typer.Option(..., "--since", help="First day (YYYY-MM-DD).")
UNTIL = typer.Option(..., "--until", help="Last day (YYYY-MM-DD), inclusive.")


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_range(since: str, until: str) -> tuple[date, date]:
    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    return first, last


def build_world(seed: int = 7, today: str | None = None, accounts: int = 2, campaigns: int = 6,
                days: int = 90, sends: int = 120):
    """The world the options describe (the one helper every simulator command uses)."""
    from pipelines.simulator.world import World, WorldSize

    now = parse_day(today, "--today") if today is not None else None
    return World(seed=seed, size=WorldSize(accounts, campaigns, days, sends), today=now)


@app.command()
def truth(since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
          accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS,
          out: Path | None = typer.Option(None, "--out", help="Write the JSON here instead of stdout.")) -> None:
    """Write the exact figures mmlens must reproduce (JSON, sorted keys, decimals as strings)."""
    from pipelines.simulator.truth import to_json_ready
    from pipelines.simulator.truth import truth as ground_truth

    first, last = parse_range(since, until)
    world = build_world(seed, today, accounts, campaigns, days, sends)
    text = json.dumps(to_json_ready(ground_truth(world, first, last)), sort_keys=True, indent=1,
                      ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


@app.command()
def export(since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
           accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS) -> None:
    """Write webhook exports and send logs for UTC dates since..until into MMLENS_HOME/exports."""
    from pipelines.settings import load_settings
    from pipelines.simulator.export import export as write_exports

    first, last = parse_range(since, until)
    world = build_world(seed, today, accounts, campaigns, days, sends)
    home = load_settings().home
    stats = write_exports(world, home, first, last)
    typer.echo(f"wrote {stats.files} files under {home / 'exports'}: {stats.posts} webhook POSTs "
               f"({stats.events} events), {stats.sends} send attempts, {stats.events_per_second:,.0f} lines/s")


@app.command()
def deliver(to: str = typer.Option(..., "--to", help="Receiver URL, e.g. http://127.0.0.1:8000/webhooks."),
            since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
            accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS,
            app_secret: str | None = typer.Option(None, "--app-secret", help="Signing key; default META_APP_SECRET.",
                                                  show_default=False)) -> None:
    """POST the webhook bodies of UTC dates since..until to a receiver, signed with X-Hub-Signature-256."""
    from pipelines.settings import load_settings
    from pipelines.simulator.deliver import deliver as post_all

    first, last = parse_range(since, until)
    if not to.startswith(("http://", "https://")):
        raise UsageError(f"--to: {to!r} is not an http(s) URL")
    secret = app_secret
    if secret is None:
        configured = load_settings().app_secret
        secret = configured.get_secret_value() if configured is not None else None
    if not secret:
        raise UsageError("--app-secret or META_APP_SECRET: required to sign the deliveries")
    world = build_world(seed, today, accounts, campaigns, days, sends)
    stats = post_all(world, to, first, last, secret)
    typer.echo(f"delivered {stats.posts - stats.failed} of {stats.posts} POSTs ({stats.events} events), "
               f"{stats.retried} retries, {stats.seconds:.1f}s")
    if stats.failed:
        from pipelines.errors import MmlensError

        raise MmlensError(f"deliver: {stats.failed} POSTs were refused by {to}")
