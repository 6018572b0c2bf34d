"""HTML tables of the report: the campaign table, the top error codes, the estimates and the taps.

Every cell is escaped here (`reports.text.escape`), so the returned markup is trusted by the page.
Campaign names are bidi-isolated first (`reports.text.isolate`), as on the charts. Money cells
show the exact Decimal in the row's own currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from reports.text import count, escape, isolate, money, percent, quantity, ratio

# ROAS differences above this share between ours and Meta's are flagged in the campaign table.
ROAS_TOLERANCE = 0.01


def _table(headers: Sequence[tuple[str, str]], rows: Iterable[Sequence[tuple[str, str]]], caption: str) -> str:
    """`headers` and cells are (css class, already-escaped html) pairs."""
    head = "".join(f'<th class="{cls}" scope="col">{text}</th>' for cls, text in headers)
    body = "\n".join("<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cls, cell in row) + "</tr>" for row in rows)
    return (
        f'<div class="table-wrap"><table class="data sortable"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>"
    )


def _roas_cell(ours: float | None, meta: float | None) -> tuple[str, str]:
    if ours is None or meta is None or meta == 0 or abs(ours / meta - 1) <= ROAS_TOLERANCE:
        return "num", ratio(meta)
    return "num flag", f'<span title="differs from ours by more than 1%">{ratio(meta)}</span>'


def campaign_table(summary: pl.DataFrame, period_label: str) -> str:
    """One row per campaign over the period, biggest spenders first within each currency."""
    headers = [
        ("text", "Campaign"), ("text", "Account"), ("num", "Spend"), ("num", "Delivered"), ("num", "Link clicks"),
        ("num", "CTR"), ("num", "Purchases"), ("num", "Purchase value"), ("num", "ROAS"), ("num", "Meta ROAS"),
    ]
    rows = []
    for r in summary.iter_rows(named=True):
        currency = r["currency"]
        ctr = r["link_clicks"] / r["delivered"] if r["delivered"] else None
        name = r["campaign_name"] or "(unnamed)"
        rows.append(
            [
                ("text", f'{escape(isolate(name))}<span class="id">{escape(r["message_campaign_id"])}</span>'),
                ("text", f"act_{escape(r['ad_account_id'])}"),
                ("num", escape(money(r["spend"], currency))),
                ("num", count(r["delivered"])),
                ("num", count(r["link_clicks"])),
                ("num", percent(ctr)),
                ("num", quantity(r["purchases"])),
                ("num", escape(money(r["purchase_value"], currency))),
                ("num", ratio(r["roas"])),
                _roas_cell(r["roas"], r["api_roas"]),
            ]
        )
    return _table(headers, rows, f"Campaigns, {period_label}")


def error_codes_table(top: pl.DataFrame, period_label: str) -> str:
    """The most frequent error codes with their meaning and what to do about them."""
    headers = [
        ("text", "Code"), ("text", "Meaning"), ("text", "Category"), ("text", "Source"), ("text", "Retry?"),
        ("num", "Occurrences"), ("num", "Share"), ("text wide", "What to do"),
    ]
    rows = []
    for r in top.iter_rows(named=True):
        retry = {True: "yes", False: "no"}.get(r["retryable"], "–")
        rows.append(
            [
                ("text code", escape(r["error_code"])),
                ("text", escape(r["error_name"] or "not in the catalogue")),
                ("text", escape((r["category"] or "unknown").replace("_", " "))),
                ("text", escape((r["sources"] or "").replace("_", " "))),
                ("text", retry),
                ("num", count(r["occurrences"])),
                ("num", percent(r["share"])),
                ("text wide", escape(r["advice"] or "Check Meta's error reference for this code.")),
            ]
        )
    return _table(headers, rows, f"Top error codes, {period_label}")


def _within(value: bool | None) -> str:
    return "–" if value is None else "yes" if value else '<span class="miss">no</span>'


def estimates_table(latest: pl.DataFrame) -> str:
    """Per account, the newest estimate (the forecast for the coming day) and the last one whose
    day is known, with the actual delivery and spend and whether each fell inside Meta's range."""
    headers = [
        ("text", "Account"), ("text", "Day"), ("num", "Delivery estimate"), ("num", "Delivered"), ("text", "In range?"),
        ("num", "Cost estimate"), ("num", "Spent"), ("text", "In range?"),
    ]
    rows = []
    for r in latest.iter_rows(named=True):
        currency = r["currency"]
        judged = r["actual_delivered"] is not None
        rows.append(
            [
                ("text", f"act_{escape(r['ad_account_id'])}"),
                ("text", escape(r["date"].isoformat()) + ("" if judged else ' <span class="id">not known yet</span>')),
                ("num", f"{count(r['estimate_delivery_lower_bound'])} – {count(r['estimate_delivery_upper_bound'])}"),
                ("num", count(r["actual_delivered"])),
                ("text", _within(r["delivered_within"])),
                ("num", escape(f"{money(r['estimate_cost_lower_bound'], currency)} – "
                               f"{money(r['estimate_cost_upper_bound'], currency)}")),
                ("num", escape(money(r["actual_spend"], currency))),
                ("text", _within(r["spend_within"])),
            ]
        )
    return _table(headers, rows, "Newest estimate and last known day per ad account")


def responses_table(summary: pl.DataFrame, period_label: str, kinds: dict[str, str]) -> str:
    """Taps per campaign, kind, title and payload; taps no marketing message could be tied to last."""
    headers = [("text", "Campaign"), ("text", "Kind"), ("text", "Title"), ("text", "Payload"), ("num", "Taps"),
               ("num", "Share of the campaign's taps")]
    rows = []
    for r in summary.iter_rows(named=True):
        if r["message_campaign_id"] is None:
            campaign = "<em>Not tied to a message</em>"
        else:
            name = r["campaign_name"] or "(unnamed)"
            campaign = f'{escape(isolate(name))}<span class="id">{escape(r["message_campaign_id"])}</span>'
        rows.append([
            ("text", campaign),
            ("text", escape(kinds.get(r["kind"], r["kind"]))),
            ("text", escape(isolate(r["title"] or "–"))),
            ("text code", escape(isolate(r["payload"] or "–"))),
            ("num", count(r["taps"])),
            ("num", percent(r["share"])),
        ])
    return _table(headers, rows, f"Taps, {period_label}")
