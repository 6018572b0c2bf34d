"""Whole numbers in request parameters, read strictly (the simulator's own reader)."""

from __future__ import annotations


def digits_int(text: str, max_digits: int = 18) -> int | None:
    """The number a string of ASCII digits spells, or None for a sign, a blank, a fraction, other
    scripts' digits ('²' passes `str.isdigit`) or more than `max_digits` digits."""
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text)
