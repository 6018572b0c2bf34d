"""Escaping, bidi isolation and number formatting shared by the figures and the HTML tables.

Text from Meta (campaign names above all) is made safe where it is shown, once, for that medium:
`escape` where HTML is produced (tables, page), `chart_text` where plotly draws it (plotly renders
text, not HTML: `html.escape` there showed `&quot;` on the chart). Names also go through `isolate`
first, in tables and charts alike, so a name cannot reorder the text around it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

from pipelines.currencies import decimal_places
from reports.metrics import MONEY_METRICS, Headline

# plotly.js (svg_text_utils) splits a label on `<…>` pieces and draws a few of them as markup
# (<b>, <i>, <br>, <a href>, <span style>, <sup>, …), then decodes `&name;`/`&#n;` entities in the
# rest; newlines become spaces and other characters are drawn as they are. Only these two shapes
# need escaping, and plotly decodes `&lt;` and `&amp;` back to the characters. Every `<…>` is
# escaped, not only the tags this plotly knows, so a tag a later plotly learns stays text too.
# TeX (`$…$`) is only typeset when MathJax is on the page, and the page never loads it.
_PLOTLY_TAG = re.compile(r"<(?=[^<>]*>)")
_PLOTLY_ENTITY = re.compile(r"&(?=#\d+;|#x[\da-fA-F]+;|[a-z]+;)")

# Bidi classes that can move the text around a name: right-to-left letters, Arabic digits and the
# explicit embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069).
_BIDI_ACTIVE = frozenset({"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
_ISOLATE_OPENERS = frozenset({"\u2066", "\u2067", "\u2068"})
FSI, PDI = "\u2068", "\u2069"


def escape(value: object) -> str:
    """Text safe inside HTML (element content and quoted attributes); None becomes ''."""
    return "" if value is None else html.escape(str(value), quote=True)


def chart_text(value: object) -> str:
    """Text plotly draws exactly as written (labels, legend, hover); None becomes ''.

    A name without `<…>` or an entity-shaped `&x;` comes back unchanged, so the figure holds the
    name byte for byte (`Flash "48h" deal & free shipping`)."""
    if value is None:
        return ""
    return _PLOTLY_TAG.sub("&lt;", _PLOTLY_ENTITY.sub("&amp;", str(value)))


def isolate(name: str) -> str:
    """`name` in a first-strong isolate (U+2068 … U+2069) when it holds right-to-left text or bidi
    controls, so that it cannot reorder what is shown beside it (an id, a unit, the next label);
    any other name comes back unchanged.

    Isolation, not stripping: a Hebrew or Arabic name still reads right to left inside its isolate,
    and an override (U+202E) still acts on the name itself but ends where the name ends (a closing
    PDI ends every embedding opened inside). The name's own isolates are balanced first: a PDI
    with no opener in the name is dropped (it would close ours early) and openers left open are
    closed."""
    if not any(unicodedata.bidirectional(ch) in _BIDI_ACTIVE for ch in name):
        return name
    kept, depth = [], 0
    for ch in name:
        if ch == PDI:
            if depth == 0:
                continue
            depth -= 1
        elif ch in _ISOLATE_OPENERS:
            depth += 1
        kept.append(ch)
    return FSI + "".join(kept) + PDI * depth + PDI


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


def headline_value(row: Headline, value: Decimal | int | float | None) -> str:
    """A headline number as the report shows it: money in its currency, ROAS as ×, counts plain."""
    if row.metric in MONEY_METRICS:
        return money(value, row.currency)  # type: ignore[arg-type]  # money metrics are Decimal
    if row.metric == "roas":
        return ratio(None if value is None else float(value))
    return quantity(value)  # type: ignore[arg-type]  # counts are int or Decimal
