"""Static vocabulary of the simulated world: account profiles, campaign names, action types.

Kept apart from `world.py` so the world's logic reads without the tables. Money scales are in
the currency's minor unit (cents, or yen for a currency without one) so no float ever touches it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountProfile:
    """How one simulated ad account looks: currency, time zone and typical prices.

    `cost_per_delivered_e4` is the price of one delivered message in 1/10000 of a minor unit;
    `order_value_minor` is a typical purchase in minor units.
    """

    currency: str
    currency_offset: int
    timezone_name: str
    cost_per_delivered_e4: int
    order_value_minor: int
    label: str


# The first two are fixed by the contract (USD in Los Angeles, JPY in Tokyo); the rest add time
# zones east of UTC with half-hour offsets and another zero-decimal currency.
ACCOUNT_PROFILES = (
    AccountProfile("USD", 100, "America/Los_Angeles", 12_000, 5_400, "Northwind US"),
    AccountProfile("JPY", 1, "Asia/Tokyo", 18_000, 6_800, "Sakura Shop JP"),
    AccountProfile("EUR", 100, "Europe/Berlin", 11_000, 4_900, "Blaue Werke DE"),
    AccountProfile("BRL", 100, "America/Sao_Paulo", 55_000, 24_000, "Loja Ipê BR"),
    AccountProfile("KRW", 1, "Asia/Seoul", 160_000, 68_000, "Hangang Market KR"),
    AccountProfile("INR", 100, "Asia/Kolkata", 700_000, 350_000, "Chai & Co IN"),
    AccountProfile("GBP", 100, "Europe/London", 10_000, 4_200, "Thames Goods UK"),
    AccountProfile("AUD", 100, "Australia/Sydney", 17_000, 7_900, "Wattle AU"),
)

# Campaign names exercise escaping everywhere they travel: non-ASCII, emoji, HTML specials,
# quotes, a script-injection attempt (exactly this string is part of the contract) and commas.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
CAMPAIGN_NAMES = (
    "Winter sale ❄️ 2026",
    HOSTILE_NAME,
    "Rückkehr-Kampagne für Stammkunden",
    "新春セール 🎍 限定クーポン",
    'Flash "48h" deal & free shipping',
    "Café crème — loyalty, tier 2",
    "Promoção de Páscoa 🐰",
    "봄맞이 할인 <VIP> 🌸",
    "Re-engage: cart abandoners (7d)",
    "Diwali dhamaka 🪔 — 30% off",
    "Back to school ✏️ / 'bundle' offer",
    "Ünïcödé tëst & <b>bold</b>",
)

PIXEL_ACTION_TYPES = (
    "offsite_conversion.fb_pixel_purchase",
    "offsite_conversion.fb_pixel_add_to_cart",
    "offsite_conversion.fb_pixel_initiate_checkout",
    "offsite_conversion.fb_pixel_lead",
    "offsite_conversion.fb_pixel_view_content",
    "offsite_conversion.fb_pixel_custom",
    "offsite_conversion.fb_pixel_complete_registration",
    "offsite_conversion.fb_pixel_search",
    "offsite_conversion.fb_pixel_add_payment_info",
    "offsite_conversion.fb_pixel_add_to_wishlist",
)
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "default")

# Conversions per 1000 link clicks (28-day click window) and whether the event carries a value;
# view-through conversions are a tenth of that rate per 1000 delivered-but-not-clicked messages.
ACTION_RATES_PER_MILLE = {
    "offsite_conversion.fb_pixel_purchase": (90, True),
    "offsite_conversion.fb_pixel_add_to_cart": (220, True),
    "offsite_conversion.fb_pixel_initiate_checkout": (120, True),
    "offsite_conversion.fb_pixel_lead": (40, False),
    "offsite_conversion.fb_pixel_view_content": (450, False),
    "offsite_conversion.fb_pixel_custom": (30, False),
    "offsite_conversion.fb_pixel_complete_registration": (25, False),
    "offsite_conversion.fb_pixel_search": (140, False),
    "offsite_conversion.fb_pixel_add_payment_info": (50, True),
    "offsite_conversion.fb_pixel_add_to_wishlist": (15, False),
}
