"""Whole numbers written as text (Graph fields, request parameters), read strictly."""

from __future__ import annotations


def digits_int(text: str, max_digits: int = 18) -> int | None:
    """The number a string of ASCII digits spells, or None for anything else: a sign, a blank, a
    fraction, other scripts' digits ('²' passes `str.isdigit`, which `int` refuses) or more than
    `max_digits` digits (`int` refuses more than 4300; 18 always fit a 64-bit integer)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
