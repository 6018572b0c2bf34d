"""Insights rows built from the world for a parsed `InsightsQuery` (see `insights_query.py`).

Grain: one row per object (`level`) per time bucket (`time_increment`), in the ad account's time
zone; objects and buckets without any activity produce no row, as on Meta. Source: the world's
`campaign_day` figures only — this module invents no numbers. Shapes follow reference §1.2–§1.5:
every number is a string, zero action types are omitted, per-window keys appear only when
`action_attribution_windows` asks for them, and `7d_view`/`28d_view` are never returned (Meta
stopped on 2026-01-12). Ratios carry 6 decimals as in Meta's examples (`"79.419238"`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pipelines.simulator.insights_query import (
    ACTION_FIELDS,
    COUNT_FIELDS,
    IDENTITY_FIELDS,
    LEVELS,
    MONEY_FIELDS,
    RATE_FIELDS,
    InsightsQuery,
)

WORLD_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
PURCHASE = "offsite_conversion.fb_pixel_purchase"
SIX_PLACES = Decimal("0.000001")


@dataclass
class _Totals:
    sent: int = 0
    delivered: int = 0
    reads: int = 0
    link_clicks: int = 0
    spend: Decimal = Decimal(0)
    actions: dict[str, dict[str, list]] = field(default_factory=dict)

    def add(self, day) -> None:
        """Add one `CampaignDay` of the world."""
        self.sent += day.sent
        self.delivered += day.insights_delivered
        self.reads += day.reads
        self.link_clicks += day.link_clicks
        self.spend += Decimal(day.spend)
        self._add_actions(day.actions)

    def merge(self, other: _Totals) -> None:
        self.sent += other.sent
        self.delivered += other.delivered
        self.reads += other.reads
        self.link_clicks += other.link_clicks
        self.spend += other.spend
        self._add_actions(other.actions)

    def _add_actions(self, actions) -> None:
        for action_type, windows in actions.items():
            mine = self.actions.setdefault(action_type, {})
            for window, (count, value) in windows.items():
                slot = mine.setdefault(window, [0, Decimal(0)])
                slot[0] += count
                slot[1] += Decimal(value)

    def empty(self) -> bool:
        has_actions = any(slot[0] or slot[1] for w in self.actions.values() for slot in w.values())
        return not (self.sent or self.delivered or self.spend or has_actions)

def _sum_days(world, campaign, start: date, stop: date) -> _Totals:
    totals = _Totals()
    life = world.life(campaign)  # days the campaign sent; nothing to report outside them
    if life is None:
        return totals
    day, last = max(start, life[0]), min(stop, life[1])
    while day <= last:
        figures = world.campaign_day(campaign.message_campaign_id, day)
        if figures is not None:
            totals.add(figures)
        day += timedelta(days=1)
    return totals


def build_rows(world, account, campaigns, query: InsightsQuery) -> list[dict]:
    """Insights rows for `campaigns` of `account`, ordered by bucket then object (deterministic)."""
    selected = [
        c
        for c in campaigns
        if query.object_ids is None
        or query.object_ids & {c.message_campaign_id, c.adset_id, c.ad_id}
    ]
    rows = []
    for start, stop in query.buckets:
        per_campaign = [(c, _sum_days(world, c, start, stop)) for c in selected]
        if query.level == "account":
            merged = _Totals()
            for _, totals in per_campaign:
                merged.merge(totals)
            groups = [(None, merged)]
        else:
            groups = per_campaign
        for campaign, totals in groups:
            if not totals.empty():
                rows.append(render_row(account, campaign, totals, query, start, stop))
    return rows


def money(amount: Decimal, currency_offset: int) -> str:
    """Currency units as Meta prints them: 2 decimals, none for a currency without minor unit."""
    places = Decimal(1) / Decimal(currency_offset) if currency_offset > 1 else Decimal(1)
    return f"{Decimal(amount).quantize(places, rounding=ROUND_HALF_UP):f}"


def ratio(numerator, denominator, scale: int = 1) -> str | None:
    """numerator × scale ÷ denominator with at most 6 decimals, trailing zeros cut; None if ÷0."""
    if not denominator:
        return None
    value = (Decimal(numerator) * scale / Decimal(denominator)).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def render_row(account, campaign, totals: _Totals, query: InsightsQuery, start: date, stop: date) -> dict:
    level_rank = LEVELS.index(query.level)
    row: dict = {}
    for name in query.fields:
        if name in IDENTITY_FIELDS:
            if LEVELS.index(IDENTITY_FIELDS[name]) <= level_rank:
                row[name] = _identity(name, account, campaign)
        elif name in COUNT_FIELDS:
            row[name] = str(getattr(totals, COUNT_FIELDS[name]))
        elif name in MONEY_FIELDS:
            row[name] = money(totals.spend, account.currency_offset)
        elif name in RATE_FIELDS:
            numerator, denominator, scale = RATE_FIELDS[name]
            value = ratio(getattr(totals, numerator), getattr(totals, denominator), scale)
            if value is not None:
                row[name] = value
        elif name in ACTION_FIELDS:
            stats = _action_stats(name, totals, query, account.currency_offset)
            if stats:
                row[name] = stats
    row["date_start"] = start.isoformat()
    row["date_stop"] = stop.isoformat()
    return row


def _identity(name: str, account, campaign) -> str:
    if name == "account_id":
        return account.account_id
    if name == "account_name":
        return account.name
    if name == "account_currency":
        return account.currency
    if name.endswith("_name"):
        return campaign.name
    return {"campaign_id": campaign.message_campaign_id, "adset_id": campaign.adset_id, "ad_id": campaign.ad_id}[name]


def _action_stats(name: str, totals: _Totals, query: InsightsQuery, currency_offset: int) -> list[dict]:
    windows = [w for w in query.windows if w in WORLD_WINDOWS]
    stats = []
    for action_type in sorted(totals.actions):
        if query.action_types is not None and action_type not in query.action_types:
            continue
        if action_type in query.excluded_action_types:
            continue
        if name == "website_purchase_roas" and action_type != PURCHASE:
            continue
        by_window = totals.actions[action_type]
        entry = {"action_type": action_type}
        for key, window in [("value", "default")] + [(w, w) for w in windows]:
            count, value = by_window.get(window, (0, Decimal(0)))
            if name == "actions":
                rendered = str(count)
            elif name == "action_values":
                rendered = money(value, currency_offset)
            elif name == "cost_per_action_type":
                rendered = ratio(totals.spend, count)
            else:  # website_purchase_roas: purchase value per unit of spend
                rendered = ratio(value, totals.spend)
            if rendered is not None:
                entry[key] = rendered
        # Zero action types are omitted (reference §1.3): counts for counts, values for values.
        interesting = [by_window.get(w, (0, 0)) for w in ["default", *windows]]
        position = 0 if name in ("actions", "cost_per_action_type") else 1
        if any(item[position] for item in interesting) and "value" in entry:
            stats.append(entry)
    return stats
