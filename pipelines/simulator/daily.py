"""Numbers of one campaign-day: generated from a hash, then observed as of a date (restatement).

Pure functions under `World.campaign_day` (which caches them). Counts are ints; money is integer
minor units until `minor_to_units` turns it into a Decimal of the currency's precision.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipelines.simulator.catalog import ACTION_RATES_PER_MILLE, PIXEL_ACTION_TYPES, AccountProfile

RESTATEMENT_DAYS = 28

# actions[action_type][window] = (count, value in currency units)
Actions = dict[str, dict[str, tuple[int, Decimal]]]


@dataclass(frozen=True)
class CampaignDay:
    """A campaign's numbers for one account-local day, as observed on `as_of`.

    `delivered` is what webhooks report; `insights_delivered` is what `/insights` reports (it
    excludes recipients in regions Meta leaves out). Spend is billed on `delivered`. Treat
    `actions` as read-only: instances are memoized and shared.
    """

    message_campaign_id: str
    day: date
    as_of: date
    sent: int
    delivered: int
    insights_delivered: int
    reads: int
    link_clicks: int
    spend: Decimal
    spend_minor: int
    actions: Actions


@dataclass(frozen=True)
class Conversion:
    """One pixel conversion behind a campaign-day."""

    click: bool  # click-through (else 1-day view-through)
    lag: int  # days from the message day to the conversion; observed once the day is this old
    value_minor: int


@dataclass(frozen=True)
class FinalDay:
    """A campaign-day's numbers once fully restated (minor units for money)."""

    sent: int
    delivered: int
    insights_delivered: int
    reads: int
    link_clicks: int
    spend_minor: int
    conversions: tuple[tuple[str, tuple[Conversion, ...]], ...]

def minor_to_units(minor: int, offset: int) -> Decimal:
    """Integer minor units -> Decimal currency units quantized to the currency's minor unit."""
    exponent = Decimal(1).scaleb(-round(math.log10(offset)))
    return (Decimal(minor) / Decimal(offset)).quantize(exponent)


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A deterministic, O(1) binomial draw (normal approximation, clamped to 0..n)."""
    if n <= 0 or p <= 0:
        return 0
    mean = n * p
    spread = math.sqrt(mean * (1 - p))
    return max(0, min(n, round(rng.gauss(mean, spread))))

def generate_day(seed: int, campaign, profile: AccountProfile, weight: int, sends_per_campaign_day: int,
                 day: date, first_day: bool) -> FinalDay:
    """A campaign-day's final numbers, from a hash of (seed, campaign, day) alone."""
    rng = random.Random(f"{seed}:{campaign.message_campaign_id}:{day.isoformat()}")
    volume = sends_per_campaign_day * weight // 100
    volume = volume * rng.randint(85, 115) // 100
    if day.weekday() >= 5:
        volume = volume * 4 // 5
    if first_day:  # started mid-morning
        volume //= 2
    sent = max(1, volume)
    delivered = binomial(rng, sent, rng.uniform(0.86, 0.96))
    insights_delivered = delivered - binomial(rng, delivered, rng.uniform(0.01, 0.04))
    reads = binomial(rng, delivered, rng.uniform(0.55, 0.8))
    link_clicks = binomial(rng, reads, rng.uniform(0.06, 0.18))
    cost_e4 = profile.cost_per_delivered_e4 * rng.randint(85, 115) // 100
    spend_minor = delivered * cost_e4 // 10_000
    conversions: list[tuple[str, tuple[Conversion, ...]]] = []
    if campaign.pixel_id is not None:
        for action_type in PIXEL_ACTION_TYPES:
            per_mille, valued = ACTION_RATES_PER_MILLE[action_type]
            clicks = binomial(rng, link_clicks, per_mille / 1000)
            views = binomial(rng, delivered - link_clicks, per_mille / 10_000)
            items = []
            for n in range(clicks + views):
                draw = rng.random()
                if n < clicks:
                    lag = 0 if draw < 0.6 else rng.randint(1, 6) if draw < 0.8 else rng.randint(7, 27)
                else:
                    lag = 0 if draw < 0.7 else 1
                value = profile.order_value_minor * rng.randint(30, 250) // 100 if valued else 0
                items.append(Conversion(n < clicks, lag, value))
            if items:
                conversions.append((action_type, tuple(items)))
    return FinalDay(sent, delivered, insights_delivered, reads, link_clicks, spend_minor, tuple(conversions))


def observe(message_campaign_id: str, day: date, as_of: date, final: FinalDay, offset: int) -> CampaignDay:
    """Conversions reported by `as_of`: a conversion with lag L shows once the day is L days
    old, so the numbers only grow and are final at age 28 (Meta's restatement window)."""
    age = (as_of - day).days
    actions: Actions = {}
    for action_type, items in final.conversions:
        seen = [c for c in items if c.lag <= age]
        buckets = {
            "1d_click": [c for c in seen if c.click and c.lag < 1],
            "7d_click": [c for c in seen if c.click and c.lag < 7],
            "28d_click": [c for c in seen if c.click and c.lag < RESTATEMENT_DAYS],
            "1d_view": [c for c in seen if not c.click],
        }
        if not any(buckets.values()):
            continue
        sums = {w: (len(cs), sum(c.value_minor for c in cs)) for w, cs in buckets.items()}
        sums["default"] = (sums["7d_click"][0] + sums["1d_view"][0], sums["7d_click"][1] + sums["1d_view"][1])
        actions[action_type] = {w: (n, minor_to_units(v, offset)) for w, (n, v) in sums.items()}
    return CampaignDay(
        message_campaign_id, day, as_of, final.sent, final.delivered, final.insights_delivered,
        final.reads, final.link_clicks, minor_to_units(final.spend_minor, offset), final.spend_minor, actions,
    )

