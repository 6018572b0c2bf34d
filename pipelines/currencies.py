"""Currency minor units as Meta counts them: the one table ingestion and the report share.

Source: the Marketing API's "Currency codes" page, column "Offset": the factor between an amount
in the currency's smallest unit (how budgets and estimate costs arrive) and the amount in currency
units. Every currency an ad account supports has offset 100 except the eleven below, which have
offset 1. Meta's table is not ISO 4217's: ISO gives CRC, COP, HUF, IDR and TWD two decimals, Meta
none, and the report shows amounts at Meta's precision. Imports nothing, so any layer can use it.
"""

from __future__ import annotations

# Offset 1 on Meta's page; every other supported currency has offset 100.
NO_MINOR_UNIT = frozenset({"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"})


def currency_offset(currency: str) -> int:
    """Meta's offset for `currency`: 1 for a currency without minor unit, else 100."""
    return 1 if currency.upper() in NO_MINOR_UNIT else 100


def decimal_places(currency: str | None) -> int:
    """How many decimals an amount in `currency` is shown with (0 or 2); unknown currencies get 2."""
    return 0 if currency is not None and currency_offset(currency) == 1 else 2
