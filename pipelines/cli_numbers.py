"""Whole-number options of the CLI, read as ASCII digits only, with one-line usage errors.

typer's own `int` accepts what `int()` does: `1_0`, `+5`, ` 7`, `10.0`. Options given to
`typer.Option(parser=whole_number("--days"))` refuse those with `mmlens: --days: ...` (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.errors import UsageError
from pipelines.numbers import digits_int


def whole_number(option: str, low: int | None = None, high: int | None = None) -> Callable[[object], int]:
    """A typer parser for `option`: the number its ASCII digits (after an optional minus sign)
    spell, else a UsageError; with `low` and `high`, also a UsageError outside that range
    (typer's own min/max do not apply to an option with a parser)."""

    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # the option's default
        text = str(value)
        # A minus sign is kept so that the command's own range check names the range ("-1 is not
        # between 0 and 65535"); a plus sign, underscores and blanks are refused.
        number = digits_int(text.removeprefix("-"))
        if number is None:
            raise UsageError(f"{option}: {text!r} is not a whole number (ASCII digits 0-9 only)")
        number = -number if text.startswith("-") else number
        if low is not None and high is not None and not low <= number <= high:
            raise UsageError(f"{option}: {number} is out of range ({low} to {high})")
        return number

    return parse
