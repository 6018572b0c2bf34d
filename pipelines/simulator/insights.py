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

from pipelines.simulator.filters import Rule, lookup, matches
from pipelines.simulator.insights_fields import (
    ACTION_FIELDS,
    BENCHMARK_FIELDS,
    BREAKDOWN_VALUES,
    COUNT_FIELDS,
    IDENTITY_FIELDS,
    LEVELS,
    MONEY_FIELDS,
    RATE_FIELDS,
    WEBSITE_FIELDS,
    WEBSITE_VALUE_FIELDS,
    ZERO_FIELDS,
)
from pipelines.simulator.insights_query import InsightsQuery

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


def _object_view(campaign) -> dict:
    """The campaign, ad set and ad of a message campaign, as insights `filtering` sees them."""
    def node(object_id: str) -> dict:
        return {"id": object_id, "name": campaign.name, "status": campaign.status, "effective_status": campaign.status}

    return {"campaign": node(campaign.message_campaign_id), "adset": node(campaign.adset_id), "ad": node(campaign.ad_id)}


def _selected(campaigns, query: InsightsQuery) -> list:
    chosen = []
    for campaign in campaigns:
        if query.object_ids is not None and not query.object_ids & {campaign.message_campaign_id, campaign.adset_id,
                                                                     campaign.ad_id}:
            continue
        view = _object_view(campaign)
        if all(matches(lookup(view, rule.field.split(".")), rule) for rule in query.object_rules):
            chosen.append(campaign)
    return chosen


def _groups(world, selected, query: InsightsQuery, start: date, stop: date) -> list:
    per_campaign = [(c, _sum_days(world, c, start, stop)) for c in selected]
    if query.level != "account":
        return per_campaign
    merged = _Totals()
    for _, totals in per_campaign:
        merged.merge(totals)
    return [(None, merged)]


def build_rows(world, account, campaigns, query: InsightsQuery) -> list[dict]:
    """Insights rows for `campaigns` of `account`: by bucket then object, unless `sort` says otherwise."""
    selected = _selected(campaigns, query)
    rows = []
    for start, stop in query.buckets:
        for campaign, totals in _groups(world, selected, query, start, stop):
            if totals.empty() or not _passes(totals, query.metric_rules, account):
                continue
            row = render_row(account, campaign, totals, query, start, stop)
            if query.sort is not None:
                row = (_sort_key(totals, query, account), row)
            rows.append(row)
    if query.sort is not None:
        # A stable sort on the one key Meta allows; ties keep the bucket/object order.
        rows = [row for _, row in sorted(rows, key=lambda pair: pair[0], reverse=query.sort[1])]
    return rows


def build_summary(world, account, campaigns, query: InsightsQuery) -> dict | None:
    """The `summary` block: the summary fields over every row of the query, and its whole date range."""
    if query.summary is None:
        return None
    total = _Totals()
    selected = _selected(campaigns, query)
    for start, stop in query.buckets:
        for _, totals in _groups(world, selected, query, start, stop):
            if not totals.empty() and _passes(totals, query.metric_rules, account):
                total.merge(totals)
    summary_query = InsightsQuery(**{**query.__dict__, "fields": query.summary, "breakdowns": ()})
    start, stop = min(b[0] for b in query.buckets), max(b[1] for b in query.buckets)
    return render_row(account, None, total, summary_query, start, stop)


def _passes(totals: _Totals, rules: tuple[Rule, ...], account) -> bool:
    return all(matches(metric(rule.field, totals, account.currency_offset) or "0", rule) for rule in rules)


def _sort_key(totals: _Totals, query: InsightsQuery, account) -> Decimal:
    name = query.sort[0]
    if ":" in name:
        field_name, action_type = name.split(":", 1)
        for entry in _action_stats(field_name, totals, query, account.currency_offset):
            if entry["action_type"] == action_type:
                return Decimal(entry["value"])
        return Decimal(0)
    return Decimal(metric(name, totals, account.currency_offset) or "0")


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


def metric(name: str, totals: _Totals, currency_offset: int) -> str | None:
    """One metric of `insights_fields` for a bucket's totals; None when Meta would leave it out."""
    if name in COUNT_FIELDS:
        return str(getattr(totals, COUNT_FIELDS[name]))
    if name in MONEY_FIELDS:
        return money(totals.spend, currency_offset)
    if name in RATE_FIELDS:
        numerator, denominator, scale = RATE_FIELDS[name]
        return ratio(getattr(totals, numerator), getattr(totals, denominator), scale)
    if name in ZERO_FIELDS:
        return "0"
    if name in BENCHMARK_FIELDS:
        return BENCHMARK_FIELDS[name]
    if name in WEBSITE_FIELDS:
        return str(totals.actions.get(WEBSITE_FIELDS[name], {}).get("default", (0, 0))[0])
    if name in WEBSITE_VALUE_FIELDS:
        value = totals.actions.get(WEBSITE_VALUE_FIELDS[name], {}).get("default", (0, Decimal(0)))[1]
        return money(value, currency_offset)
    return None


def render_row(account, campaign, totals: _Totals, query: InsightsQuery, start: date, stop: date) -> dict:
    level_rank = LEVELS.index(query.level)
    row: dict = {}
    for name in query.fields:
        if name in IDENTITY_FIELDS:
            if LEVELS.index(IDENTITY_FIELDS[name]) <= level_rank:
                row[name] = _identity(name, account, campaign)
        elif name in ACTION_FIELDS:
            stats = _action_stats(name, totals, query, account.currency_offset)
            if stats:
                row[name] = stats
        else:
            value = metric(name, totals, account.currency_offset)
            if value is not None:
                row[name] = value
    row["date_start"] = start.isoformat()
    row["date_stop"] = stop.isoformat()
    for name in query.breakdowns:
        row[name] = BREAKDOWN_VALUES[name]
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
    if name in _CONSTANT_IDENTITY:
        return _CONSTANT_IDENTITY[name]
    return {"campaign_id": campaign.message_campaign_id, "adset_id": campaign.adset_id, "ad_id": campaign.ad_id}[name]


# INFERRED (docs/simulator.md): what a direct-send message campaign reports for these.
_CONSTANT_IDENTITY = {"objective": "OUTCOME_ENGAGEMENT", "buying_type": "AUCTION",
                      "optimization_goal": "IMPRESSIONS", "attribution_setting": "7d_click_1d_view"}


def _action_stats(name: str, totals: _Totals, query: InsightsQuery, currency_offset: int) -> list[dict]:
    windows = [w for w in query.windows if w in WORLD_WINDOWS]
    stats = []
    for action_type in sorted(totals.actions):
        if query.action_types is not None and action_type not in query.action_types:
            continue
        if action_type in query.excluded_action_types:
            continue
        if name in ("website_purchase_roas", "purchase_roas") and action_type != PURCHASE:
            continue
        by_window = totals.actions[action_type]
        entry = {"action_type": action_type}
        for breakdown in query.action_breakdowns:
            if breakdown != "action_type":
                entry[breakdown] = _action_breakdown_value(breakdown, by_window)
        for key, window in [("value", "default")] + [(w, w) for w in windows]:
            count, value = by_window.get(window, (0, Decimal(0)))
            if name in ("actions", "conversions"):
                rendered = str(count)
            elif name in ("action_values", "conversion_values"):
                rendered = money(value, currency_offset)
            elif name == "cost_per_action_type":
                rendered = ratio(totals.spend, count)
            else:  # website_purchase_roas: purchase value per unit of spend
                rendered = ratio(value, totals.spend)
            if rendered is not None:
                entry[key] = rendered
        # Zero action types are omitted (reference §1.3): counts for counts, values for values.
        interesting = [by_window.get(w, (0, 0)) for w in ["default", *windows]]
        position = 0 if name in ("actions", "conversions", "cost_per_action_type") else 1
        if any(item[position] for item in interesting) and "value" in entry:
            stats.append(entry)
    return stats


def _action_breakdown_value(breakdown: str, by_window) -> str:
    """INFERRED: pixel conversions of a message campaign all come from the web, on an unknown device."""
    return {"action_destination": "web", "action_target_id": "0", "conversion_destination": "web",
            "action_device": "other", "signal_source_bucket": "pixel"}.get(breakdown, "unknown")
