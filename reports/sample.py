"""Deterministic synthetic marts for the report's tests and benchmark (no warehouse needed).

Two ad accounts in different currencies (EUR and JPY, the latter without minor unit), campaigns
split between them, and per campaign and day a consistent funnel, spend, conversions, error codes
and estimates. With `hostile=True` the first campaign is named like an HTML injection attempt,
the second carries markup, the third quotes and an ampersand (to be shown as written), the fourth
Japanese and an emoji (to be seen in the fonts) and the fifth a right-to-left override (to be
isolated), so every view must show Meta's text as text; a button title and payload carry markup too.
Taps come from their own random stream, so they change no other number.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import polars as pl

from reports.frames import REQUIRED, ReportFrames

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
MARKUP_NAME = "Back to school <b>&amp;</b> <script>window.__xss=1</script>"
QUOTED_NAME = 'Flash "48h" deal & free shipping'
CJK_NAME = "春のセール 🌸 限定"
OVERRIDE_NAME = "Spring \u202egnp.exe"

ACCOUNTS = (("1001", "EUR", "501"), ("2002", "JPY", "502"))
ERROR_CODES = (
    ("2300069", "frequency_cap_reached", "frequency_cap", False, "Wait before messaging this person again."),
    ("2300074", "budget_exhausted", "pacing_or_budget", False, "Raise the campaign budget or extend its end date."),
    ("551", "person_unavailable", "recipient_unavailable", False, "Remove the recipient from the audience."),
    ("613", "rate_limited", "rate_limit", True, "Back off and retry later."),
    ("unknown", None, "unknown", None, None),
)
ACTION_TYPES = ("offsite_conversion.fb_pixel_purchase", "offsite_conversion.fb_pixel_add_to_cart")
WINDOWS = ("default", "7d_click", "1d_view")
TAPS = (("postback", "Shop now", "SHOP_NOW"), ("postback", "Stop promotions", "STOP_PROMOTIONS"),
        ("quick_reply", "Yes please!", "QR_YES"), ("quick_reply", "Not now", "QR_LATER"))
HOSTILE_TAP = ("postback", "<b>Deals</b> & more", "<script>window.__xss=2</script>")


def _campaign_names(count: int, hostile: bool) -> list[str]:
    names = [f"Campaign {i + 1:03d} · weekly offers" for i in range(count)]
    if hostile and count:
        names[0] = HOSTILE_NAME
    if hostile:
        for index, name in enumerate((MARKUP_NAME, QUOTED_NAME, CJK_NAME, OVERRIDE_NAME), start=1):
            if index < count:
                names[index] = name
    return names


def sample_frames(run_date: dt.date, days: int = 30, campaigns: int = 6, *, seed: int = 7, hostile: bool = True) -> ReportFrames:
    """`days` days ending on `run_date` for `campaigns` campaigns."""
    rng = random.Random(seed)
    names = _campaign_names(campaigns, hostile)
    dates = [run_date - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    performance, conversions, funnel, errors, estimates = [], [], [], [], []
    for index, name in enumerate(names):
        account, currency, page = ACCOUNTS[index % len(ACCOUNTS)]
        campaign_id = f"12021{index:013d}"
        scale = 1 + index % 5
        unit = Decimal(150) if currency == "JPY" else Decimal("1.2")
        for day in dates:
            attempted = rng.randint(400, 900) * scale
            rejected = attempted // rng.randint(15, 40)
            sent = attempted - rejected
            failed = sent // rng.randint(20, 60)
            delivered = sent - failed
            read = delivered * rng.randint(40, 80) // 100
            clicked = read * rng.randint(5, 20) // 100
            purchases = clicked * rng.randint(2, 12) // 100
            spend = (unit * delivered / 100).quantize(Decimal("1") if currency == "JPY" else Decimal("0.01"))
            value = (unit * 30 * purchases).quantize(Decimal("0.01"))
            api_roas = float(value / spend) if spend and purchases else None
            performance.append(
                (account, campaign_id, name, day, currency, spend, delivered, clicked, purchases, value, api_roas)
            )
            funnel.append((page, campaign_id, day, attempted, sent, rejected, sent, delivered, read, clicked, failed))
            for action in ACTION_TYPES:
                base = purchases if action.endswith("purchase") else purchases * 3
                for window in WINDOWS:
                    share = {"default": 1.0, "7d_click": 0.8, "1d_view": 0.2}[window]
                    n = int(base * share)
                    conversions.append((account, campaign_id, day, action, window, n, unit * 30 * n))
            for code, error_name, category, retryable, advice in ERROR_CODES:
                n = rng.randint(0, failed + rejected) // len(ERROR_CODES)
                if n:
                    source = "send_api" if category in ("rate_limit", "pacing_or_budget") else "delivery_failed_webhook"
                    errors.append((day, campaign_id, source, code, error_name, category, retryable, advice, n))
    responses = _responses(random.Random(f"{seed}:taps"), len(names), dates, hostile)
    for account, currency, _page in ACCOUNTS:
        unit = Decimal(150) if currency == "JPY" else Decimal("1.2")
        rows = [r for r in performance if r[0] == account]
        for day in dates:
            delivered = sum(r[6] for r in rows if r[3] == day)
            spend = sum((r[5] for r in rows if r[3] == day), Decimal(0))
            low, high = int(delivered * 0.8), int(delivered * 1.15)
            estimates.append((account, day, currency, low, high, unit * low / 100, unit * high / 100, delivered, spend))
    return _frames(performance, conversions, funnel, errors, estimates, responses)


def _responses(rng: random.Random, campaigns: int, dates: list[dt.date], hostile: bool) -> list[tuple]:
    """Taps per campaign and day, and per Page and day the taps no message could be tied to."""
    kinds = (*TAPS, HOSTILE_TAP) if hostile else TAPS
    rows: list[tuple] = []
    for day in dates:
        for index in range(campaigns):
            page = ACCOUNTS[index % len(ACCOUNTS)][2]
            for kind, title, payload in kinds:
                if n := rng.randint(0, 12):
                    rows.append((page, f"12021{index:013d}", day, kind, title, payload, n))
        for _account, _currency, page in ACCOUNTS:
            rows.append((page, None, day, "quick_reply", "Yes please!", "QR_YES", rng.randint(1, 4)))
    return rows


def _frames(performance, conversions, funnel, errors, estimates, responses) -> ReportFrames:
    def frame(rows: list[tuple], name: str, columns: list[str]) -> pl.DataFrame:
        schema = {column: REQUIRED[name][column] for column in columns}
        return pl.DataFrame(rows, schema=schema, orient="row")

    return ReportFrames.of(
        {
            "campaign_daily": frame(
                performance,
                "campaign_daily",
                ["ad_account_id", "message_campaign_id", "campaign_name", "date", "currency", "spend", "delivered",
                 "link_clicks", "purchases", "purchase_value", "api_roas"],
            ),
            "conversions_daily": frame(
                conversions,
                "conversions_daily",
                ["ad_account_id", "message_campaign_id", "date", "action_type", "attribution_window", "conversions",
                 "conversion_value"],
            ),
            "delivery_funnel_daily": frame(
                funnel,
                "delivery_funnel_daily",
                ["page_id", "message_campaign_id", "date", "attempted", "accepted", "rejected", "sent", "delivered",
                 "read", "clicked", "failed"],
            ),
            "error_codes_daily": frame(
                errors,
                "error_codes_daily",
                ["date", "message_campaign_id", "source", "error_code", "error_name", "category", "retryable", "advice",
                 "occurrences"],
            ),
            "delivery_estimates": frame(
                estimates,
                "delivery_estimates",
                ["ad_account_id", "date", "currency", "estimate_delivery_lower_bound", "estimate_delivery_upper_bound",
                 "estimate_cost_lower_bound", "estimate_cost_upper_bound", "actual_delivered", "actual_spend"],
            ),
            "responses_daily": frame(
                responses, "responses_daily", ["page_id", "message_campaign_id", "date", "kind", "title", "payload", "responses"]
            ),
        }
    )

