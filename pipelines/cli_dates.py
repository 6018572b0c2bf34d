"""Date options of the CLI: `--since`/`--until` as ISO dates, with one-line usage errors."""

from __future__ import annotations

from datetime import date

from pipelines.errors import UsageError


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
