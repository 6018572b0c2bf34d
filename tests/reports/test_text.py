"""Formatting and escaping: every text from Meta reaches the page as text, money keeps its currency."""

from decimal import Decimal

import pytest

from reports import text
from reports.metrics import Headline


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ('a "quoted" & <b>bold</b>', "a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"),
        (None, ""),
        ("plain", "plain"),
    ],
)
def test_escape(raw, escaped):
    assert text.escape(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "given"),
    [
        # plotly draws these as they are: they must reach it unchanged, byte for byte
        ('Flash "48h" deal & free shipping', 'Flash "48h" deal & free shipping'),
        ("AT&T; R&D", "AT&T; R&D"),  # plotly decodes lower-case entities only
        ("a > b", "a > b"),
        ("春のセール 🌸", "春のセール 🌸"),
        # tag- and entity-shaped pieces plotly would interpret get the entity it decodes back
        ("<b>bold</b>", "&lt;b>bold&lt;/b>"),
        ("line<br>break", "line&lt;br>break"),
        ('<a href="http://e">x</a>', '&lt;a href="http://e">x&lt;/a>'),
        ("5 &lt; 6 &#60; &#x3c;", "5 &amp;lt; 6 &amp;#60; &amp;#x3c;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
        ("a < b", "a < b"),
        (None, ""),
    ],
)
def test_chart_text(raw, given):
    assert text.chart_text(raw) == given


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Spring sale", "Spring sale"),  # nothing that can move its neighbours: unchanged
        ("春のセール 🌸", "春のセール 🌸"),
        ("Spring \u202egnp.exe", "\u2068Spring \u202egnp.exe\u2069"),
        ("מבצע אביב", "\u2068מבצע אביב\u2069"),
        ("a\u202bb", "\u2068a\u202bb\u2069"),
        # a stray PDI would close the isolate early: dropped; an isolate left open is closed
        ("x\u2069\u202ey", "\u2068x\u202ey\u2069"),
        ("x\u2067y", "\u2068x\u2067y\u2069\u2069"),
        ("\u2066x\u2069y", "\u2068\u2066x\u2069y\u2069"),
    ],
)
def test_isolate(name, shown):
    assert text.isolate(name) == shown


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("1234.505"), "EUR", "1,234.50 EUR"),  # banker's rounding, exact Decimal
        (Decimal("1234.515"), "USD", "1,234.52 USD"),
        (Decimal("98000.4"), "JPY", "98,000 JPY"),  # no minor unit
        (Decimal("0"), "KRW", "0 KRW"),
        # Meta gives CRC and IDR no minor unit (offset 1), so neither does the report.
        (Decimal("1234567.5"), "CRC", "1,234,568 CRC"),
        (Decimal("250000.49"), "IDR", "250,000 IDR"),
        (Decimal("12.5"), "HUF", "12 HUF"),
        (Decimal("0.125"), "BHD", "0.12 BHD"),
        (None, "EUR", "–"),
    ],
)
def test_money_keeps_its_currency(value, currency, shown):
    assert text.money(value, currency) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("12"), "12"), (Decimal("1234.0000"), "1,234"), (Decimal("2.5"), "2.5"), (None, "–"), (7, "7")],
)
def test_quantity_shows_modelled_decimals(value, shown):
    assert text.quantity(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(0.125, "+12.5%"), (-0.03, "−3.0%"), (0.0, "+0.0%"), (None, "–")]
)
def test_signed_percent(value, shown):
    assert text.signed_percent(value) == shown


def test_truncate_keeps_short_labels_and_shortens_long_ones():
    assert text.truncate("short") == "short"
    assert text.truncate("x" * 60, 10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("metric", "currency", "value", "shown"),
    [
        ("spend", "JPY", Decimal("98000"), "98,000 JPY"),
        ("purchase_value", "EUR", Decimal("1234.5"), "1,234.50 EUR"),
        ("delivered", "EUR", 12345, "12,345"),
        ("roas", "EUR", 3.14159, "3.14×"),
        ("roas", "EUR", None, "–"),
    ],
)
def test_headline_value_formats_like_the_report(metric: str, currency: str, value, shown: str) -> None:
    """One formatting of a headline number for the Dagster preview and the report mail."""
    assert text.headline_value(Headline(currency, metric, metric, value, None, None), value) == shown
