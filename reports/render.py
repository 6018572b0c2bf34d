"""Render the daily report: marts in, `reports/YYYY-MM-DD.html` and `reports/latest.html` out.

The page covers the year ending on the run date (trends, errors over time, estimates); headline
numbers compare the last 7 days with the 7 before; per-campaign views (ROAS, funnel, top errors,
the campaign table) cover the last 28 days, the lookback Meta restates conversions over.
Files are written next to their target and renamed over it, so a reader never sees half a page.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from reports import figures, metrics, responses, tables
from reports.frames import ReportFrames, window_start
from reports.page import Section, assemble

LATEST = "latest.html"
NO_DATA = "No data for this period."


def build_sections(frames: ReportFrames, run_date: dt.date) -> list[Section]:
    """Every section of the page, in reading order."""
    period = metrics.Period.ending(run_date, metrics.PERIOD_DAYS)
    cd = frames.campaign_daily
    recent = cd.filter(pl.col("date") >= run_date - dt.timedelta(days=2 * metrics.HEADLINE_DAYS - 1))
    summary = metrics.campaign_summary(cd, period)
    stages = metrics.funnel_stages(frames.delivery_funnel_daily, period)
    errors = frames.error_codes_daily
    top_codes = metrics.top_error_codes(errors, period)
    conversions = metrics.conversions_by_type(frames.conversions_daily, period)
    estimates = metrics.estimates_vs_actual(frames.delivery_estimates)
    taps = responses.tap_summary(frames.responses_daily, cd, period)
    loose, all_taps = responses.unattributed_taps(frames.responses_daily, period)

    def empty(condition: bool) -> str | None:
        return NO_DATA if condition else None

    return [
        Section(
            "headlines",
            "Headline figures",
            figures=() if recent.is_empty() else (figures.headline_figure(metrics.headlines(cd, run_date)),),
            note="Each account currency separately; the change is against the previous 7 days. ROAS = purchase value / spend.",
            empty=empty(recent.is_empty()),
        ),
        Section(
            "trends",
            "Daily trends",
            figures=() if cd.is_empty() else (figures.trends_figure(metrics.daily_trends(cd)),),
            note="Dates in each ad account's time zone. Money per currency; counts over all accounts.",
            empty=empty(cd.is_empty()),
        ),
        Section(
            "roas",
            "ROAS by campaign",
            figures=() if summary.is_empty() else (figures.roas_figure(summary),),
            note=f"{period.label()}. Ours is purchase value / spend; Meta's is its website_purchase_roas, kept to reconcile.",
            empty=empty(summary.is_empty()),
        ),
        Section(
            "funnel",
            "Delivery funnel",
            figures=() if stages["count"].sum() == 0 else (
                figures.funnel_figure(stages, metrics.funnel_losses(frames.delivery_funnel_daily, period)),
            ),
            note=f"{period.label()}, by UTC date of the send. Each rate is against the stage before.",
            empty=empty(stages["count"].sum() == 0),
        ),
        Section(
            "responses",
            "What recipients tapped",
            figures=() if taps.is_empty() else (responses.taps_figure(taps),),
            table=None if taps.is_empty() else tables.responses_table(taps, period.label(), responses.KIND_LABELS),
            note=f"{period.label()}, by UTC date of the tap. Buttons (postbacks) by title and payload, quick replies by "
            f"payload; each tap counts for the marketing message the person last received from the Page. "
            f"{_share_note(loose, all_taps)}",
            empty=empty(taps.is_empty()),
        ),
        Section(
            "errors",
            "Error codes",
            figures=() if errors.is_empty() else (figures.errors_figure(metrics.errors_by_category(errors)),),
            table=None if top_codes.is_empty() else tables.error_codes_table(top_codes, period.label()),
            note="Send API errors and delivery_failed webhooks, by UTC date. The table shows the top codes of the last 28 days.",
            empty=empty(errors.is_empty()),
        ),
        Section(
            "estimates",
            "Estimated vs actual delivery and cost",
            # A range over time needs at least two snapshots of an account; the table always shows.
            figures=(figures.estimates_figure(estimates),) if _has_history(estimates) else (),
            table=None if estimates.is_empty() else tables.estimates_table(metrics.latest_estimates(estimates)),
            note="Meta's delivery estimate range per ad account beside what was delivered and spent. "
                 "Cost in each account's currency.",
            empty=empty(estimates.is_empty()),
        ),
        Section(
            "conversions",
            "Pixel conversions",
            figures=() if conversions.is_empty() else (figures.conversions_figure(conversions),),
            note=f"{period.label()}. Counts per action type in every attribution window pulled.",
            empty=empty(conversions.is_empty()),
        ),
        Section(
            "campaigns",
            "Campaigns",
            table=None if summary.is_empty() else tables.campaign_table(summary, period.label()),
            note="Click a column to sort. Meta's ROAS is flagged where it differs from ours by more than 1%.",
            empty=empty(summary.is_empty()),
        ),
    ]


def _share_note(loose: int, total: int) -> str:
    if not total:
        return ""
    return (f"{loose:,} of {total:,} taps ({loose / total:.1%}) could not be tied to a message (Custom Audience "
            f"subscribers, or people who received none from the Page) and are shown last.")


def _has_history(estimates: pl.DataFrame) -> bool:
    """Whether some account has at least two estimate snapshots (else there is no line to draw)."""
    return bool((estimates.group_by("ad_account_id").len()["len"] >= 2).any())


def report_html(frames: ReportFrames, run_date: dt.date, generated_at: dt.datetime | None = None,
                alert: str = "") -> str:
    """The page; `alert` is a plain-text notice for the header (the last failed run), or empty."""
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    start = window_start(run_date)
    return assemble(
        f"mmlens daily report · {run_date.isoformat()}",
        f"Marketing messages on Messenger · window {start.isoformat()} to {run_date.isoformat()} · "
        f"per-campaign views over the last {metrics.PERIOD_DAYS} days",
        build_sections(frames, run_date),
        footer=f"Generated by mmlens at {generated_at:%Y-%m-%d %H:%M} UTC. Opens offline; loads nothing from the network.",
        alert=alert,
    )


def write_atomic(path: Path, text: str) -> None:
    """Write a sibling temporary file, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _newest_dated_report(out_dir: Path) -> dt.date | None:
    dates = []
    for path in out_dir.glob("????-??-??.html"):
        try:
            dates.append(dt.date.fromisoformat(path.stem))
        except ValueError:
            continue
    return max(dates, default=None)


def render_report(frames: ReportFrames, run_date: dt.date, out_dir: Path, alert: str = "") -> Path:
    """Write `out_dir/<run_date>.html`; also `latest.html` unless a newer dated report exists
    (re-rendering an old day never turns `latest.html` back in time). Returns the dated path."""
    html = report_html(frames, run_date, alert=alert)
    out_dir.mkdir(parents=True, exist_ok=True)
    newest = _newest_dated_report(out_dir)
    path = out_dir / f"{run_date.isoformat()}.html"
    write_atomic(path, html)
    if newest is None or run_date >= newest:
        _publish_latest(path, out_dir / LATEST, html)
    return path


def _publish_latest(path: Path, latest: Path, html: str) -> None:
    """Point `latest.html` at the new report atomically: a hard link renamed over it where the
    file system allows (no second copy to write), else a copy."""
    tmp = latest.with_name(f".{latest.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)
        os.replace(tmp, latest)
    except OSError:
        tmp.unlink(missing_ok=True)
        write_atomic(latest, html)
