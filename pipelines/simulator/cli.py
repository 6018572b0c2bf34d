"""`mmlens simulator ...` commands.

Every command selects its world with the same options (`--seed`, `--today`, `--accounts`,
`--campaigns`, `--days`, `--sends`) through `build_world`, so the same options mean the same
world for `serve`, `export`, `deliver` and `truth`.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import date
from pathlib import Path

import typer
from dotenv import dotenv_values

from pipelines.simulator.digits import digits_int
from pipelines.simulator.errors import SimulatorError
from pipelines.simulator.errors import SimulatorUsageError as UsageError

app = typer.Typer(no_args_is_help=True)


def one_line_errors(command):
    """A simulator error becomes one line on stderr and its exit code (2 usage, 1 otherwise)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SimulatorError as error:
            print(f"mmlens: {error}", file=sys.stderr)
            raise typer.Exit(error.exit_code) from None

    return run


def parse_day(value: str, option: str) -> date:
    # Exactly YYYY-MM-DD in ASCII digits: `date.fromisoformat` also takes 20261101 and 2026-W44-1.
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-" or not (value[:4] + value[5:7] + value[8:]).isdigit() \
                or not value.isascii():
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_range(since: str, until: str) -> tuple[date, date]:
    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    return first, last


def environment(name: str) -> str | None:
    """A variable from the process environment, else from `.env` (as mmlens itself reads them)."""
    value = os.environ.get(name)
    if value is None and Path(".env").is_file():
        value = dotenv_values(".env").get(name)
    return value.strip() if value and value.strip() else None


def data_home() -> Path:
    """MMLENS_HOME, where exports are written (default ./var, as for mmlens)."""
    return Path(environment("MMLENS_HOME") or "var")


def whole_number(low: int | None = None, high: int | None = None):
    """A typer parser reading ASCII digits only (typer's `int` takes `1_0`, `+5` and other scripts'
    digits), within low..high when given (typer's min/max do not apply next to a parser)."""

    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # the option's default
        text = str(value)
        number = digits_int(text.removeprefix("-"))
        if number is None:
            raise typer.BadParameter(f"{text!r} is not a whole number (ASCII digits 0-9 only)")
        number = -number if text.startswith("-") else number
        if low is not None and high is not None and not low <= number <= high:
            raise typer.BadParameter(f"{number} is out of range ({low} to {high})")
        return number

    return parse


SEED = typer.Option(7, "--seed", parser=whole_number(), metavar="INTEGER",
                    help="World seed: the same seed gives the same world.")
TODAY = typer.Option(None, "--today", help="The world's current UTC date (YYYY-MM-DD); default: today.")
ACCOUNTS = typer.Option(2, "--accounts", parser=whole_number(1, 64), metavar="1..64", help="Ad accounts in the world.")
CAMPAIGNS = typer.Option(6, "--campaigns", parser=whole_number(1, 500), metavar="1..500",
                         help="Message campaigns per ad account.")
DAYS = typer.Option(90, "--days", parser=whole_number(1, 1100), metavar="1..1100",
                    help="Days of history, ending yesterday.")
SENDS = typer.Option(120, "--sends", parser=whole_number(1, 1_000_000), metavar="1..1000000",
                     help="Nominal sends per campaign and day.")
SINCE = typer.Option(..., "--since", help="First day (YYYY-MM-DD).")
UNTIL = typer.Option(..., "--until", help="Last day (YYYY-MM-DD), inclusive.")


def build_world(seed: int = 7, today: str | None = None, accounts: int = 2, campaigns: int = 6,
                days: int = 90, sends: int = 120):
    """The world the options describe (the one helper every simulator command uses)."""
    from pipelines.simulator.world import World, WorldSize

    now = parse_day(today, "--today") if today is not None else None
    return World(seed=seed, size=WorldSize(accounts, campaigns, days, sends), today=now)


@app.command()
@one_line_errors
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
          port: int = typer.Option(8765, "--port", parser=whole_number(), metavar="INTEGER",
                                   help="Port; 0 picks a free one."),
          seed: int = SEED, today: str | None = TODAY,
          accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS,
          faults: float = typer.Option(0.0, "--faults", help="Share of requests (0..1) that fail transiently."),
          empty_pages: float = typer.Option(0.0, "--empty-pages", help="Fault: share (0..1) of later result pages "
                                            "answered empty but with paging.next (Meta allows it; off by default)."),
          latency_ms: int = typer.Option(0, "--latency-ms", parser=whole_number(), metavar="INTEGER",
                                         help="Milliseconds added to every response."),
          job_seconds: float = typer.Option(2.0, "--job-seconds", help="Seconds an async report run takes "
                                            "(longer for big reports); 0 completes at once."),
          access_token: str | None = typer.Option(None, "--access-token", show_default=False,
                                                  help="Token to accept; default META_ACCESS_TOKEN, else sim-token."),
          app_secret: str | None = typer.Option(None, "--app-secret", show_default=False,
                                                help="Require appsecret_proof computed with this secret.")) -> None:
    """Serve the simulated Graph API until interrupted; prints its base URL (use it as META_GRAPH_URL)."""
    from pipelines.simulator.server import DEFAULT_ACCESS_TOKEN, SimulatorConfig, serve_forever

    # Checked here rather than with typer's min/max so that a bad value is a one-line usage error.
    for option, share in (("--faults", faults), ("--empty-pages", empty_pages)):
        if not 0.0 <= share <= 1.0:
            raise UsageError(f"{option}: {share} is not a share between 0 and 1")
    if latency_ms < 0 or job_seconds < 0 or not 0 <= port <= 65535:
        raise UsageError("--latency-ms and --job-seconds must be >= 0 and --port between 0 and 65535")
    world = build_world(seed, today, accounts, campaigns, days, sends)
    token = access_token or environment("META_ACCESS_TOKEN") or DEFAULT_ACCESS_TOKEN
    config = SimulatorConfig(seed=seed, today=world.today, size=world.size, faults=faults, latency_ms=latency_ms,
                             empty_page_rate=empty_pages, job_seconds=job_seconds, access_token=token,
                             app_secret=app_secret)
    serve_forever(config, world=world, host=host, port=port, announce=lambda url: typer.echo(url))


@app.command()
@one_line_errors
def truth(since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
          accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS,
          out: Path | None = typer.Option(None, "--out", help="Write the JSON here instead of stdout.")) -> None:
    """Write the exact figures mmlens must reproduce (JSON, sorted keys, decimals as strings)."""
    from pipelines.simulator.truth import to_json_ready
    from pipelines.simulator.truth import truth as ground_truth

    first, last = parse_range(since, until)
    world = build_world(seed, today, accounts, campaigns, days, sends)
    text = json.dumps(to_json_ready(ground_truth(world, first, last)), sort_keys=True, indent=1) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


@app.command()
@one_line_errors
def export(since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
           accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS) -> None:
    """Write webhook exports and send logs for UTC dates since..until into MMLENS_HOME/exports."""
    from pipelines.simulator.export import export as write_exports

    first, last = parse_range(since, until)
    world = build_world(seed, today, accounts, campaigns, days, sends)
    home = data_home()
    stats = write_exports(world, home, first, last)
    typer.echo(f"wrote {stats.files} files under {home / 'exports'}: {stats.posts} webhook POSTs "
               f"({stats.events} events), {stats.sends} send attempts, {stats.events_per_second:,.0f} lines/s")


@app.command()
@one_line_errors
def deliver(to: str = typer.Option(..., "--to", help="Receiver URL, e.g. http://127.0.0.1:8000/webhooks."),
            since: str = SINCE, until: str = UNTIL, seed: int = SEED, today: str | None = TODAY,
            accounts: int = ACCOUNTS, campaigns: int = CAMPAIGNS, days: int = DAYS, sends: int = SENDS,
            app_secret: str | None = typer.Option(None, "--app-secret", help="Signing key; default META_APP_SECRET.",
                                                  show_default=False)) -> None:
    """POST the webhook bodies of UTC dates since..until to a receiver, signed with X-Hub-Signature-256."""
    from pipelines.simulator.deliver import deliver as post_all

    first, last = parse_range(since, until)
    if not to.startswith(("http://", "https://")):
        raise UsageError(f"--to: {to!r} is not an http(s) URL")
    secret = app_secret if app_secret is not None else environment("META_APP_SECRET")
    if not secret:
        raise UsageError("--app-secret or META_APP_SECRET: required to sign the deliveries")
    world = build_world(seed, today, accounts, campaigns, days, sends)
    stats = post_all(world, to, first, last, secret)
    typer.echo(f"delivered {stats.posts - stats.failed} of {stats.posts} POSTs ({stats.events} events), "
               f"{stats.retried} retries, {stats.seconds:.1f}s")
    if stats.failed:
        raise SimulatorError(f"deliver: {stats.failed} POSTs were refused by {to}")
