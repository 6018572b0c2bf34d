"""Benchmark: render the daily report for 365 days x 200 campaigns, against the naive way.

Ours: `reports.render` — plotly.js embedded once, figures as JSON drawn by one boot script.
Naive: the same sections and figures, each written with `fig.to_html(include_plotlyjs=True)`,
i.e. one copy of plotly.js (and of the plotly template) per figure, what `write_html` per chart gives.

Both are timed end to end from the mart frames to the file on disk (aggregations, figure
building, serialisation, writing), best of `--repeat` runs, in one process. Prints the sizes,
times and ratios; the goal is a report under 10 MB, at least 3x smaller and faster than naive.

    .venv/bin/python bench/report_render.py [--days 365] [--campaigns 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports import page  # noqa: E402
from reports.frames import ReportFrames  # noqa: E402
from reports.render import build_sections, render_report, write_atomic  # noqa: E402
from reports.sample import sample_frames  # noqa: E402

RUN_DATE = dt.date(2026, 11, 25)


def naive_figure(key: str, fig) -> str:
    # Standalone, each figure carries its own look (the template) and its own plotly.js.
    fig.update_layout(template=page.FIGURE_TEMPLATE)
    return f'<div id="{key}">' + fig.to_html(include_plotlyjs=True, full_html=False) + "</div>"


def render_naive(frames: ReportFrames, run_date: dt.date, out_dir: Path) -> Path:
    sections = build_sections(frames, run_date)
    body = "\n".join(page.section_markup(s, figure_html=naive_figure) for s in sections)
    html = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>naive</title></head><body>{body}</body></html>'
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{run_date.isoformat()}.html"
    write_atomic(path, html)
    return path


def best_of(repeat: int, render, frames: ReportFrames, out_dir: Path) -> tuple[float, Path]:
    times, path = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        path = render(frames, RUN_DATE, out_dir)
        times.append(time.perf_counter() - start)
    return min(times), path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    frames = sample_frames(RUN_DATE, days=args.days, campaigns=args.campaigns, hostile=False)
    print(f"input: {args.days} days x {args.campaigns} campaigns = {frames.total_rows:,} mart rows "
          f"(generated in {time.perf_counter() - start:.1f}s)")
    page.plotly_js()  # read plotly.js once before timing, as a long-running process would have it
    with tempfile.TemporaryDirectory() as tmp:
        ours_s, ours_path = best_of(args.repeat, render_report, frames, Path(tmp) / "ours")
        naive_s, naive_path = best_of(args.repeat, render_naive, frames, Path(tmp) / "naive")
        ours_mb = ours_path.stat().st_size / 1e6
        naive_mb = naive_path.stat().st_size / 1e6
        charts = ours_path.read_text().count('class="figure-data"')
    print(f"charts: {charts}")
    print(f"{'':8}{'size MB':>10}{'render s':>10}")
    print(f"{'mmlens':8}{ours_mb:>10.2f}{ours_s:>10.2f}")
    print(f"{'naive':8}{naive_mb:>10.2f}{naive_s:>10.2f}")
    size_ratio, time_ratio = naive_mb / ours_mb, naive_s / ours_s
    print(f"ratio: {size_ratio:.1f}x smaller, {time_ratio:.1f}x faster")
    ok = ours_mb < 10 and size_ratio >= 3 and time_ratio >= 3
    print("goal (< 10 MB, >= 3x smaller and faster):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
