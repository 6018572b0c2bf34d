"""The page is one self-contained file: plotly.js once, no network reference, a strict CSP whose
hashes match the inline scripts, and atomic dated + latest files."""

import base64
import datetime as dt
import hashlib
import json
import re

import plotly.graph_objects as go
import pytest

from reports import page, render
from reports.sample import HOSTILE_NAME, sample_frames

RUN = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def html():
    return render.report_html(sample_frames(RUN, days=20, campaigns=5), RUN)


def test_plotly_js_is_embedded_exactly_once(html):
    assert html.count(page.plotly_js()) == 1
    assert html.count("<script>") == 2  # the library and the boot script, nothing else executable


def test_page_references_nothing_on_the_network(html):
    outside_library = html.replace(page.plotly_js(), "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", outside_library)
    assert "cdn.plot.ly" not in outside_library and "mathjax" not in outside_library.lower()


def test_csp_allows_exactly_the_inline_scripts(html):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    for source in scripts:
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_every_section_is_on_the_page_with_its_figures(html):
    for key in ("headlines", "trends", "roas", "funnel", "responses", "errors", "estimates", "conversions", "campaigns"):
        assert f'<section class="card" id="{key}">' in html
    assert html.count('class="figure-data"') == 8


def test_hostile_text_never_appears_raw(html):
    assert HOSTILE_NAME not in html
    assert "onerror=alert(1)" in html  # it is there, as escaped text


def test_the_roas_chart_on_the_page_carries_the_names_as_written_and_isolated(html):
    """Read back from the page's figure JSON: no HTML entity in a name plotly draws as text, and
    the name with a right-to-left override inside its isolate."""
    block = re.search(r'data-target="chart-roas">(.*?)</script>', html, flags=re.S).group(1)
    labels = json.loads(block)["data"][0]["y"]
    assert 'Flash "48h" deal & free shipping' in labels
    assert "春のセール 🌸 限定" in labels
    assert "\u2068Spring \u202egnp.exe\u2069" in labels
    assert '<td class="text">\u2068Spring \u202egnp.exe\u2069<span class="id">' in html


def test_figure_json_cannot_close_its_script_element():
    fig = go.Figure(go.Bar(x=["</script><script>alert(1)</script>"], y=[1], name="a&b"))
    text = page.figure_json(fig)
    assert "<" not in text and ">" not in text and "&" not in text


def test_fill_does_not_rescan_inserted_text():
    assert page.fill("{{a}}-{{b}}", {"a": "{{b}}", "b": "x"}) == "{{b}}-x"


def test_empty_marts_give_a_page_that_says_so():
    html = render.report_html(render.ReportFrames.of({}), RUN)
    assert html.count(render.NO_DATA) == 9  # every section, the taps included
    assert 'class="figure-data"' not in html


def test_render_writes_dated_and_latest_files(tmp_path):
    frames = sample_frames(RUN, days=3, campaigns=2)
    path = render.render_report(frames, RUN, tmp_path / "reports")
    assert path == tmp_path / "reports" / "2026-11-25.html"
    latest = tmp_path / "reports" / "latest.html"
    assert latest.read_text() == path.read_text()
    assert [p.name for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")] == []


def test_rerendering_an_older_day_leaves_latest_alone(tmp_path):
    out = tmp_path / "reports"
    render.render_report(sample_frames(RUN, days=3, campaigns=2), RUN, out)
    newest = (out / "latest.html").read_text()
    older = RUN - dt.timedelta(days=1)
    render.render_report(sample_frames(older, days=3, campaigns=2), older, out)
    assert (out / "2026-11-24.html").exists()
    assert (out / "latest.html").read_text() == newest


def test_latest_is_copied_where_hard_links_are_not_supported(tmp_path, monkeypatch):
    def no_links(*args):
        raise OSError("hard links not supported")

    monkeypatch.setattr(render.os, "link", no_links)
    path = render.render_report(sample_frames(RUN, days=2, campaigns=1), RUN, tmp_path)
    assert (tmp_path / "latest.html").read_text() == path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-25.html", "latest.html"]


def test_estimates_without_history_show_the_table_only():
    frames = sample_frames(RUN, days=5, campaigns=2)
    one_each = frames.delivery_estimates.group_by("ad_account_id").last()
    sections = render.build_sections(render.ReportFrames.of({"delivery_estimates": one_each}), RUN)
    estimates = next(s for s in sections if s.key == "estimates")
    assert estimates.figures == () and "Newest estimate" in estimates.table
