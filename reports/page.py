"""Assemble the report into ONE self-contained HTML file.

plotly.js is embedded once, inline; each figure travels as JSON in a non-executable
`<script type="application/json">` block and is drawn by a small boot script with
`Plotly.newPlot`. The page loads nothing from the network: no CDN, no MathJax, no web fonts. A
Content-Security-Policy allows exactly the two inline scripts (by their SHA-256), inline styles and
data: images, and nothing else, so even a label that escaped escaping could not run a script.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from functools import cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from reports.text import escape

TEMPLATE_PATH = Path(__file__).with_name("template.html")
FIGURE_TEMPLATE = "plotly_white"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

# Draws every figure, then makes the tables sortable by clicking a column header.
BOOT_JS = """(function () {
  "use strict";
  var config = %CONFIG%;
  var template = JSON.parse(document.getElementById("figure-template").textContent);
  document.querySelectorAll("script.figure-data").forEach(function (node) {
    var figure = JSON.parse(node.textContent);
    figure.layout.template = template;
    Plotly.newPlot(document.getElementById(node.dataset.target), figure.data, figure.layout, config);
  });
  function key(cell) {
    var text = cell.textContent.trim();
    var number = parseFloat(text.replace(/[^0-9.\\-\\u2212]/g, "").replace("\\u2212", "-"));
    return /^[\\u2212+\\-]?[0-9.,]+/.test(text) && !isNaN(number) ? number : text.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[index]), y = key(b.cells[index]);
          var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();"""


@dataclasses.dataclass(frozen=True)
class Section:
    """One card of the page. `table` is markup from `reports.tables` (already escaped);
    `note` and `empty` are plain text."""

    key: str
    title: str
    figures: tuple[go.Figure, ...] = ()
    table: str | None = None
    note: str = ""
    empty: str | None = None  # shown instead of the content when there is no data


@cache
def _template() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


@cache
def plotly_js() -> str:
    return get_plotlyjs()


@cache
def figure_template_json() -> str:
    """The look shared by every chart (plotly's `plotly_white`), embedded once for the page."""
    return _script_safe(pio.json.to_json_plotly(pio.templates[FIGURE_TEMPLATE].to_plotly_json()))


def _script_safe(text: str) -> str:
    """JSON text that cannot end its `<script>` element: no `<`, `>` or `&` left."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: list[str]) -> str:
    hashes = " ".join(_script_hash(s) for s in scripts)
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data: blob:; "
        "font-src data:; "
        "connect-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'"
    )


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON that is safe inside a `<script>` element (no `<`, `>` or `&` left)."""
    return _script_safe(pio.to_json(fig, validate=False, pretty=False))


def figure_markup(key: str, fig: go.Figure) -> str:
    target = f"chart-{key}"
    return (
        f'<div class="chart" id="{escape(target)}"></div>\n'
        f'<script type="application/json" class="figure-data" data-target="{escape(target)}">{figure_json(fig)}</script>'
    )


def section_markup(section: Section, figure_html=figure_markup) -> str:
    parts = [f'<section class="card" id="{escape(section.key)}">', f"<h2>{escape(section.title)}</h2>"]
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    if section.empty is not None:
        parts.append(f'<p class="empty">{escape(section.empty)}</p>')
    else:
        for n, fig in enumerate(section.figures):
            parts.append(figure_html(section.key if n == 0 else f"{section.key}-{n + 1}", fig))
        if section.table:
            parts.append(section.table)
    parts.append("</section>")
    return "\n".join(parts)


def fill(template: str, values: dict[str, str]) -> str:
    """Replace `{{name}}` placeholders in one pass, so inserted text is never scanned again."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def assemble(heading: str, subtitle: str, sections: list[Section], footer: str = "", alert: str = "") -> str:
    """The whole page as text. `heading`, `subtitle`, `footer` and `alert` (a notice under the
    subtitle, such as the last failed run; none when empty) are plain text (escaped here)."""
    boot = BOOT_JS.replace("%CONFIG%", pio.json.to_json_plotly(PLOT_CONFIG))
    library = plotly_js()
    nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in sections)
    return fill(
        _template(),
        {
            "csp": content_security_policy([library, boot]),
            "title": escape(heading),
            "heading": escape(heading),
            "subtitle": escape(subtitle),
            "alert": f'<p class="alert" role="alert">{escape(alert)}</p>' if alert else "",
            "nav": nav,
            "sections": "\n".join(section_markup(s) for s in sections),
            "footer": escape(footer),
            "figure_template": figure_template_json(),
            "plotly_js": library,
            "boot_js": boot,
        },
    )
