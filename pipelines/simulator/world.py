"""The simulated Meta world: ad accounts, Pages, message campaigns and their daily numbers.

Deterministic for a seed. Every campaign-day is derived from a hash of (seed, campaign, day), so
any day is computable in O(1) without generating the others. `today` (the world's "now", a UTC
date) is resolved once; nothing below reads the wall clock. History covers `size.days` days
ending yesterday in each account's time zone.

Grain of `campaign_day`: one message campaign × one account-local day. Money is `Decimal` in
currency units, computed from integer minor units; counts are ints. Pixel conversions are
restated: what `/insights` shows for a day grows until the day is 28 days old (see
`daily.observe`). The HTTP server, the exports and the ground truth all read this module; none of
them invents numbers of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from pipelines.simulator.catalog import ACCOUNT_PROFILES, CAMPAIGN_NAMES, AccountProfile
from pipelines.simulator.daily import (  # noqa: F401 - re-exported: callers import them from the world
    RESTATEMENT_DAYS,
    Actions,
    CampaignDay,
    FinalDay,
    binomial,
    generate_day,
    minor_to_units,
    observe,
)

_CACHE_LIMIT = 200_000  # entries per cache; cleared (not evicted) past it, regeneration is cheap
_MISSING = object()


@dataclass(frozen=True)
class WorldSize:
    accounts: int = 2
    campaigns_per_account: int = 6
    days: int = 90
    sends_per_campaign_day: int = 120


@dataclass(frozen=True)
class Account:
    account_id: str  # digits only, no `act_`
    name: str
    currency: str
    currency_offset: int  # 100, or 1 for a currency without minor unit
    timezone_name: str
    account_status: int
    business_id: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Campaign:
    """One marketing-message campaign. Exactly one of the two budgets is set (minor units)."""

    message_campaign_id: str
    account_id: str
    ad_id: str
    adset_id: str
    campaign_group_id: str
    name: str
    page_id: str
    status: str  # ACTIVE or PAUSED
    daily_budget_minor: int | None
    lifetime_budget_minor: int | None
    start_time: datetime
    end_time: datetime | None
    pixel_id: str | None
    created_time: datetime
    paused_on: date | None  # account-local day of the pause; no sends after it


class World:
    """Accounts, campaigns and per-day numbers for one seed, size and "now"."""

    def __init__(self, seed: int = 7, size: WorldSize = WorldSize(), today: date | None = None) -> None:
        self.seed = seed
        self.size = size
        self.today = today if today is not None else datetime.now(timezone.utc).date()
        self.now = datetime.combine(self.today, time(12), timezone.utc)  # "now": noon UTC of `today`
        self.accounts: list[Account] = []
        self._profiles: dict[str, AccountProfile] = {}
        self._campaigns: dict[str, list[Campaign]] = {}
        self._by_id: dict[str, Campaign] = {}
        self._weights: dict[str, int] = {}
        self._final_cache: dict[tuple[str, date], FinalDay | None] = {}
        self._day_cache: dict[tuple[str, date, date], CampaignDay | None] = {}
        self._build()

    # -- structure ---------------------------------------------------------------------------
    def _build(self) -> None:
        rng = random.Random(f"{self.seed}:structure")
        used: set[str] = set()

        def new_id(digits: int) -> str:
            while True:
                candidate = str(rng.randint(10 ** (digits - 1), 10**digits - 1))
                if candidate not in used:
                    used.add(candidate)
                    return candidate

        for index in range(self.size.accounts):
            profile = ACCOUNT_PROFILES[index % len(ACCOUNT_PROFILES)]
            account_id = new_id(rng.choice((15, 16)))
            pages = tuple(new_id(15) for _ in range(1 + index % 2 if self.size.campaigns_per_account > 1 else 1))
            suffix = f" #{index // len(ACCOUNT_PROFILES) + 1}" if index >= len(ACCOUNT_PROFILES) else ""
            account = Account(account_id, profile.label + suffix, profile.currency, profile.currency_offset,
                              profile.timezone_name, 1, new_id(15), pages)
            self.accounts.append(account)
            self._profiles[account_id] = profile
            campaigns = [self._make_campaign(rng, new_id, account, profile, i)
                         for i in range(self.size.campaigns_per_account)]
            self._campaigns[account_id] = campaigns
            self._by_id.update((c.message_campaign_id, c) for c in campaigns)

    def _make_campaign(self, rng: random.Random, new_id, account: Account, profile: AccountProfile,
                       i: int) -> Campaign:
        tz = ZoneInfo(account.timezone_name)
        today = self.account_today(account.account_id)
        days = self.size.days
        jitter = rng.randint(-2, 2) if i >= 6 else 0
        # Six life shapes, repeated: ongoing daily budget, ended lifetime run, mid-history start
        # without pixel, long lifetime run ending in the future, paused, recent short run.
        shape = i % 6
        start_ago = {0: days + 20, 1: int(days * 0.6), 2: days // 2, 3: days + 5, 4: days - 3,
                     5: max(3, days // 6)}[shape] + jitter
        start_day = today - timedelta(days=max(1, start_ago))
        start = datetime.combine(start_day, time(9, rng.choice((0, 15, 30))), tz)
        lifetime = shape in (1, 3, 5)
        end = None
        if lifetime:
            end = start + timedelta(days=30) if shape == 1 else datetime.combine(
                today + timedelta(days=10 if shape == 3 else 20), time(23, 0), tz)
        paused_on = today - timedelta(days=max(1, int(days * 0.2))) if shape == 4 else None
        weight = rng.randint(50, 150)  # percent of the nominal daily volume
        expected_spend = (self.size.sends_per_campaign_day * weight // 100) * profile.cost_per_delivered_e4 // 10_000
        daily_budget = max(profile.currency_offset, expected_spend * 3 // 2)
        # Every first campaign gets 17 digits: above 2**53, where a float corrupts it.
        campaign_id = new_id(17 if (i == 0 or rng.random() < 0.3) else rng.choice((15, 16)))
        name = CAMPAIGN_NAMES[(i + (len(self.accounts) - 1) * 3) % len(CAMPAIGN_NAMES)]  # account is appended first
        if i >= len(CAMPAIGN_NAMES):
            name = f"{name} ({i // len(CAMPAIGN_NAMES) + 1})"
        campaign = Campaign(
            message_campaign_id=campaign_id,
            account_id=account.account_id,
            ad_id=new_id(16),
            adset_id=new_id(16),
            campaign_group_id=new_id(16),
            name=name,
            page_id=account.pages[i % len(account.pages)],
            status="PAUSED" if shape == 4 else "ACTIVE",
            daily_budget_minor=None if lifetime else daily_budget,
            lifetime_budget_minor=daily_budget * ((end - start).days + 1) if end is not None else None,
            start_time=start,
            end_time=end,
            pixel_id=new_id(15) if shape in (0, 1, 4, 5) else None,
            created_time=start - timedelta(hours=2, minutes=rng.randint(0, 59)),
            paused_on=paused_on,
        )
        self._weights[campaign_id] = weight
        return campaign

    # -- lookups -----------------------------------------------------------------------------
    def account(self, account_id: str) -> Account | None:
        account_id = account_id.removeprefix("act_")
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def profile(self, account_id: str) -> AccountProfile:
        return self._profiles[account_id.removeprefix("act_")]

    def campaigns(self, account_id: str) -> list[Campaign]:
        return list(self._campaigns.get(account_id.removeprefix("act_"), []))

    def all_campaigns(self) -> list[Campaign]:
        return [c for a in self.accounts for c in self._campaigns[a.account_id]]

    def campaign(self, message_campaign_id: str) -> Campaign | None:
        return self._by_id.get(str(message_campaign_id))

    def tz(self, account_id: str) -> ZoneInfo:
        return ZoneInfo(self._require(account_id).timezone_name)

    def account_today(self, account_id: str) -> date:
        """The account-local date of "now" (now = noon UTC of `today`)."""
        return self.now.astimezone(self.tz(account_id)).date()

    def history(self, account_id: str) -> tuple[date, date]:
        """First and last account-local day with data (the last is yesterday, local)."""
        last = self.account_today(account_id) - timedelta(days=1)
        return last - timedelta(days=self.size.days - 1), last

    def life(self, campaign: Campaign) -> tuple[date, date] | None:
        """First and last account-local day on which the campaign sent, within the history."""
        tz = self.tz(campaign.account_id)
        first_hist, last_hist = self.history(campaign.account_id)
        first = max(first_hist, campaign.start_time.astimezone(tz).date())
        last = last_hist
        if campaign.end_time is not None:
            last = min(last, campaign.end_time.astimezone(tz).date())
        if campaign.paused_on is not None:
            last = min(last, campaign.paused_on)
        return (first, last) if first <= last else None

    def _require(self, account_id: str) -> Account:
        account = self.account(account_id)
        if account is None:
            raise KeyError(f"unknown ad account {account_id}")
        return account

    # -- numbers -----------------------------------------------------------------------------
    def campaign_day(self, message_campaign_id: str, day: date, as_of: date | None = None) -> CampaignDay | None:
        """The campaign's numbers for an account-local day as `/insights` shows them on `as_of`
        (default: the account's today). None outside the campaign's life or after `as_of`."""
        campaign = self.campaign(message_campaign_id)
        if campaign is None:
            return None
        if as_of is None:
            as_of = self.account_today(campaign.account_id)
        key = (campaign.message_campaign_id, day, as_of)
        cached = self._day_cache.get(key, _MISSING)  # one lookup: another thread may clear the cache
        if cached is not _MISSING:
            return cached
        final = self._final(campaign, day)
        result = None if final is None or day > as_of else observe(campaign.message_campaign_id, day, as_of, final,
                                                                 self._profiles[campaign.account_id].currency_offset)
        if len(self._day_cache) > _CACHE_LIMIT:
            self._day_cache.clear()
        self._day_cache[key] = result
        return result

    def _final(self, campaign: Campaign, day: date) -> FinalDay | None:
        key = (campaign.message_campaign_id, day)
        final = self._final_cache.get(key, _MISSING)
        if final is _MISSING:
            life = self.life(campaign)
            inside = life is not None and life[0] <= day <= life[1]
            final = generate_day(
                self.seed, campaign, self._profiles[campaign.account_id], self._weights[campaign.message_campaign_id],
                self.size.sends_per_campaign_day, day, life[0] == day) if inside else None
            if len(self._final_cache) > _CACHE_LIMIT:
                self._final_cache.clear()
            self._final_cache[key] = final
        return final
    # -- estimates ---------------------------------------------------------------------------
    def delivery_estimate(self, account_id: str, page_id: str, daily_budget_minor: int | None,
                          lifetime_budget_minor: int | None, lifetime_in_days: int | None,
                          snapshot_date: date) -> dict[str, int]:
        """`message_delivery_estimate` bounds: deliveries (Send API calls) and cost in minor units.

        The audience is the Page's typical daily reach; a budget caps deliveries at budget/price.
        Deterministic for (account, page, budgets, snapshot date).
        """
        account = self._require(account_id)
        profile = self._profiles[account.account_id]
        rng = random.Random(f"{self.seed}:estimate:{account.account_id}:{page_id}:{daily_budget_minor}:"
                            f"{lifetime_budget_minor}:{lifetime_in_days}:{snapshot_date.isoformat()}")
        campaigns_on_page = sum(1 for c in self._campaigns[account.account_id] if c.page_id == page_id) or 1
        days = max(1, lifetime_in_days or 1)
        center = self.size.sends_per_campaign_day * campaigns_on_page * 2 * days * rng.randint(80, 120) // 100
        if daily_budget_minor is not None:
            center = min(center, daily_budget_minor * days * 10_000 // profile.cost_per_delivered_e4)
        elif lifetime_budget_minor is not None:
            center = min(center, lifetime_budget_minor * 10_000 // profile.cost_per_delivered_e4)
        lower = center * rng.randint(70, 85) // 100
        upper = center * rng.randint(110, 130) // 100
        return {
            "estimate_delivery_lower_bound": lower,
            "estimate_delivery_upper_bound": upper,
            "estimate_cost_lower_bound": lower * profile.cost_per_delivered_e4 // 10_000,
            "estimate_cost_upper_bound": upper * profile.cost_per_delivered_e4 // 10_000,
        }
