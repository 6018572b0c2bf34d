"""Escaping and number formatting shared by the figures and the HTML tables.

Every text that comes from Meta (campaign names, error names, advice) passes through `escape`
before it reaches the page: HTML tables show it as text, and plotly, which renders a subset of
HTML in labels and hover text, turns the entities back into the literal characters.
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_EVEN, Decimal

from pipelines.currencies import decimal_places



def escape(value: object) -> str:
    """Text safe for HTML and for plotly labels; None becomes an empty string."""
    return "" if value is None else html.escape(str(value), quote=True)


def truncate(value: str, limit: int = 48) -> str:
    """Shorten a long label (before escaping) so axis labels stay readable."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def money(value: Decimal | None, currency: str | None) -> str:
    """An amount in its account currency at Meta's precision (`pipelines.currencies`):
    `1,234.50 EUR`, `98,000 JPY`; '–' when unknown."""
    if value is None:
        return "–"
    digits = decimal_places(currency)
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    return f"{rounded:,.{digits}f} {currency or ''}".rstrip()


def count(value: int | None) -> str:
    return "–" if value is None else f"{int(value):,}"


def quantity(value: Decimal | int | None) -> str:
    """A count that may carry decimals (modelled conversions): `1,234` or `1,234.5`."""
    if value is None:
        return "–"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.quantize(Decimal('0.1')):,.1f}"


def ratio(value: float | None, digits: int = 2) -> str:
    """A ratio such as ROAS: `3.14×`."""
    return "–" if value is None else f"{value:,.{digits}f}×"


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def signed_percent(value: float | None) -> str:
    """A change such as `+12.5%` / `−3.0%`; '–' when there is nothing to compare with."""
    if value is None:
        return "–"
    sign = "+" if value >= 0 else "−"
    return f"{sign}{abs(value) * 100:.1f}%"
