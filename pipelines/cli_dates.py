"""Date options of the CLI: `--since`/`--until` as ISO dates, with one-line usage errors."""

from __future__ import annotations

from datetime import date

from pipelines.errors import UsageError


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
