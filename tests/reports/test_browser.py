"""The report as an analyst opens it: headless Chromium (Debian's package) loads the file from
disk with every network request blocked. No request may even be attempted, no console error may
appear, every chart must draw its expected traces, the hostile campaign name must show as text
without running anything, the ROAS axis must show the names as written (a right-to-left override
inside its isolate), and Japanese and emoji names must be drawn with real glyphs, not empty boxes.
A full-page screenshot lands in `test-artifacts/`."""

import datetime as dt
from pathlib import Path

import pytest

from reports.render import render_report
from reports.sample import CJK_NAME, HOSTILE_NAME, MARKUP_NAME, OVERRIDE_NAME, QUOTED_NAME, sample_frames
from tests.browser_setup import HOW_TO, find_chromium, missing_fonts
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.browser

RUN = dt.date(2026, 11, 25)
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXPECTED_TRACES = {
    "chart-headlines": [f"{m} ({c})" for c in ("EUR", "JPY") for m in
                        ("Spend", "Delivered", "Link clicks", "Purchases", "Purchase value", "ROAS")],
    "chart-trends": ["Spend (EUR)", "Purchase value (EUR)", "Spend (JPY)", "Purchase value (JPY)", "Delivered", "Link clicks"],
    "chart-roas": ["ROAS (mmlens)", "ROAS (Meta)"],
    "chart-funnel": ["Delivery funnel"],
    "chart-errors": ["frequency cap", "pacing or budget", "recipient unavailable", "rate limit", "unknown"],
    "chart-estimates": [f"act_{a} {kind}" for a in ("1001", "2002") for kind in
                        ("estimate low", "estimate high", "actual delivery", "estimate low", "estimate high", "actual cost")],
    "chart-conversions": ["1d_view", "7d_click", "default"],
    "chart-responses": ["Button", "Quick reply"],
}
CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
  id: gd.id,
  traces: gd.data.map(t => t.name),
  drawn: gd._fullData.length,
  height: gd.querySelector('svg.main-svg').getBoundingClientRect().height,
}))"""
# Draws each character in the page's font and compares it with a character no font has (drawn as
# the fallback box): a character drawn like that box has no glyph on this machine.
GLYPHS_JS = """(chars) => {
  const font = "32px " + getComputedStyle(document.body).fontFamily;
  function draw(text) {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 48;
    const ctx = canvas.getContext("2d");
    ctx.font = font; ctx.textBaseline = "top"; ctx.fillStyle = "#000";
    ctx.fillText(text, 8, 4);
    return Array.from(ctx.getImageData(0, 0, 64, 48).data).join(",");
  }
  const box = draw("\\u{10FFFD}"), blank = draw("");
  return chars.map(c => { const drawn = draw(c); return drawn !== box && drawn !== blank; });
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    return render_report(sample_frames(RUN, days=45, campaigns=8), RUN, out)


def _sync_playwright():
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def test_report_in_headless_chromium(report: Path):
    chromium = find_chromium()
    if chromium is None or missing_fonts():
        pytest.fail(f"the browser test needs Chromium and fonts: {HOW_TO}", pytrace=False)
    attempted, errors, dialogs = [], [], []
    with _sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            def route(r):
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    attempted.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot').length"
                " === document.querySelectorAll('script.figure-data').length",
                timeout=30_000,
            )
            charts = {c["id"]: c for c in page.evaluate(CHARTS_JS)}

            assert sorted(charts) == sorted(EXPECTED_TRACES)
            for chart_id, names in EXPECTED_TRACES.items():
                assert charts[chart_id]["traces"] == names, chart_id
                assert charts[chart_id]["drawn"] == len(names), chart_id
                assert charts[chart_id]["height"] > 100, chart_id

            # The hostile names are visible as text, in the campaign table and on the ROAS axis.
            body = page.inner_text("body")
            assert HOSTILE_NAME in body
            assert "<script>window.__xss=1</script>" in body
            axis = page.eval_on_selector_all("#chart-roas .ytick text", "nodes => nodes.map(n => n.textContent)")
            assert HOSTILE_NAME in axis
            # Drawn as written, byte for byte (no entities); the override only inside its isolate.
            assert QUOTED_NAME in axis and CJK_NAME in axis
            assert "\u2068" + OVERRIDE_NAME + "\u2069" in axis
            assert "\u2068" + OVERRIDE_NAME + "\u2069" in body
            assert page.evaluate(GLYPHS_JS, ["春", "セ", "限", "🌸"]) == [True, True, True, True]
            # A button title and payload with markup are shown as written in the taps table, never run.
            assert "<b>Deals</b> & more" in body and "<script>window.__xss=2</script>" in body
            assert page.evaluate("window.__xss") is None
            assert page.evaluate("document.querySelectorAll('img').length") == 0
            assert page.evaluate("document.querySelectorAll('script:not([type])').length") == 2

            # Sorting the campaign table by a column works (the boot script ran under the CSP).
            page.click("#campaigns th:has-text('Delivered')")
            delivered = page.eval_on_selector_all(
                "#campaigns tbody tr td:nth-child(4)", "cells => cells.map(c => Number(c.textContent.replace(/,/g, '')))"
            )
            assert delivered == sorted(delivered)

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert attempted == []
    assert errors == []
    assert dialogs == []
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    assert MARKUP_NAME not in report.read_text()
