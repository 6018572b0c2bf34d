"""The simulated world: its contract (accounts, ids, names), determinism and the invariants of
every campaign-day (funnel order, money in minor units, nested attribution windows, restatement)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from pipelines.simulator.catalog import HOSTILE_NAME, PIXEL_ACTION_TYPES
from pipelines.simulator.world import World, WorldSize, binomial, minor_to_units

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, size=WorldSize(days=40), today=TODAY)


def all_days(world: World):
    for campaign in world.all_campaigns():
        first, last = world.history(campaign.account_id)
        day = first - timedelta(days=2)
        while day <= last + timedelta(days=1):
            yield campaign, day, world.campaign_day(campaign.message_campaign_id, day)
            day += timedelta(days=1)


def test_accounts_follow_the_contract(world: World) -> None:
    usd, jpy = world.accounts
    assert (usd.currency, usd.currency_offset, usd.timezone_name) == ("USD", 100, "America/Los_Angeles")
    assert (jpy.currency, jpy.currency_offset, jpy.timezone_name) == ("JPY", 1, "Asia/Tokyo")
    for account in world.accounts:
        assert account.account_id.isdigit() and 1 <= len(account.pages) <= 2
        assert world.account(f"act_{account.account_id}") == account


def test_more_accounts_bring_more_currencies_and_zones() -> None:
    world = World(size=WorldSize(accounts=4, campaigns_per_account=2, days=5), today=TODAY)
    assert [a.currency for a in world.accounts][:3] == ["USD", "JPY", "EUR"]
    assert world.accounts[2].timezone_name == "Europe/Berlin"


def test_ids_are_distinct_opaque_digit_strings(world: World) -> None:
    campaigns = world.all_campaigns()
    ids = [c.message_campaign_id for c in campaigns] + [c.ad_id for c in campaigns] + [c.adset_id for c in campaigns]
    ids += [a.account_id for a in world.accounts] + [p for a in world.accounts for p in a.pages]
    assert len(ids) == len(set(ids))
    assert all(i.isdigit() and 15 <= len(i) <= 17 for i in ids)
    # Some ids cannot survive a float round trip: consumers must keep them as text.
    assert any(int(c.message_campaign_id) > 2**53 for c in campaigns)
    assert any(str(int(float(c.message_campaign_id))) != c.message_campaign_id for c in campaigns)


def test_campaign_shapes_cover_the_reference(world: World) -> None:
    campaigns = world.all_campaigns()
    names = {c.name for c in campaigns}
    assert HOSTILE_NAME in names
    assert any(not n.isascii() for n in names) and any("&" in n or '"' in n for n in names)
    assert all((c.daily_budget_minor is None) != (c.lifetime_budget_minor is None) for c in campaigns)
    assert {c.end_time is None for c in campaigns} == {True, False}
    assert {c.pixel_id is None for c in campaigns} == {True, False}
    assert {c.status for c in campaigns} == {"ACTIVE", "PAUSED"}
    assert all(c.start_time.tzinfo is not None for c in campaigns)
    assert all(world.campaign(c.message_campaign_id) == c for c in campaigns)
    assert world.campaign("123") is None


def test_same_seed_same_world_other_seed_other_world() -> None:
    size = WorldSize(days=10)
    one, two, other = World(7, size, TODAY), World(7, size, TODAY), World(8, size, TODAY)
    assert one.accounts == two.accounts and one.all_campaigns() == two.all_campaigns()
    assert one.accounts != other.accounts
    for campaign in one.all_campaigns():
        for back in range(1, 11):
            day = TODAY - timedelta(days=back)
            assert one.campaign_day(campaign.message_campaign_id, day) == two.campaign_day(
                campaign.message_campaign_id, day)


def test_a_day_does_not_depend_on_other_days() -> None:
    """O(1) generation: a day computed alone equals the same day computed after all others."""
    size = WorldSize(days=20)
    busy, fresh = World(3, size, TODAY), World(3, size, TODAY)
    list(all_days(busy))
    campaign = fresh.all_campaigns()[0]
    day = TODAY - timedelta(days=5)
    assert fresh.campaign_day(campaign.message_campaign_id, day) == busy.campaign_day(
        campaign.message_campaign_id, day)


def test_history_ends_yesterday_local_and_spans_days(world: World) -> None:
    for account in world.accounts:
        first, last = world.history(account.account_id)
        assert last == world.account_today(account.account_id) - timedelta(days=1)
        assert (last - first).days + 1 == 40


def test_campaign_days_exist_only_inside_life_and_history(world: World) -> None:
    for campaign, day, result in all_days(world):
        life = world.life(campaign)
        inside = life is not None and life[0] <= day <= life[1]
        assert (result is not None) == inside, (campaign.name, day)
        if campaign.paused_on is not None and result is not None:
            assert day <= campaign.paused_on


def test_every_campaign_day_is_internally_consistent(world: World) -> None:
    checked = 0
    for campaign, _day, result in all_days(world):
        if result is None:
            continue
        checked += 1
        assert result.sent >= result.delivered >= result.insights_delivered >= 0
        assert result.delivered >= result.reads >= result.link_clicks >= 0
        offset = world.account(campaign.account_id).currency_offset
        assert isinstance(result.spend, Decimal) and result.spend == minor_to_units(result.spend_minor, offset)
        assert result.spend.as_tuple().exponent == (-2 if offset == 100 else 0)
        if campaign.pixel_id is None:
            assert result.actions == {}
        for action_type, windows in result.actions.items():
            assert action_type in PIXEL_ACTION_TYPES
            counts = {w: n for w, (n, _v) in windows.items()}
            values = {w: v for w, (_n, v) in windows.items()}
            assert any(counts.values()), "zero action types are omitted"
            assert counts["1d_click"] <= counts["7d_click"] <= counts["28d_click"]
            assert values["1d_click"] <= values["7d_click"] <= values["28d_click"]
            assert counts["default"] == counts["7d_click"] + counts["1d_view"]
            assert values["default"] == values["7d_click"] + values["1d_view"]
    assert checked > 100
    assert any(r is not None and r.actions for _c, _d, r in all_days(world))


def test_conversions_restate_upwards_until_28_days() -> None:
    world = World(seed=11, size=WorldSize(days=60), today=TODAY)
    campaign = next(c for c in world.all_campaigns() if c.pixel_id is not None and c.end_time is None)
    day = world.history(campaign.account_id)[0] + timedelta(days=3)
    cid = campaign.message_campaign_id
    assert world.campaign_day(cid, day, as_of=day - timedelta(days=1)) is None
    series = [world.campaign_day(cid, day, as_of=day + timedelta(days=age)) for age in range(0, 40)]
    totals = [sum(w["28d_click"][0] + w["1d_view"][0] for w in d.actions.values()) for d in series]
    assert totals == sorted(totals) and totals[0] < totals[-1]
    assert all(d.actions == series[28].actions for d in series[28:])
    assert all(d.spend == series[0].spend and d.delivered == series[0].delivered for d in series)


def test_default_as_of_is_the_account_today(world: World) -> None:
    campaign = world.all_campaigns()[0]
    day = world.history(campaign.account_id)[1]
    assert world.campaign_day(campaign.message_campaign_id, day) == world.campaign_day(
        campaign.message_campaign_id, day, as_of=world.account_today(campaign.account_id))


@pytest.mark.parametrize(("budget", "lifetime", "days"), [(None, None, None), (500, None, None),
                                                         (None, 20_000, 10), (100_000_000, None, 3)])
def test_delivery_estimate_bounds(world: World, budget, lifetime, days) -> None:
    account = world.accounts[0]
    estimate = world.delivery_estimate(account.account_id, account.pages[0], budget, lifetime, days, TODAY)
    assert set(estimate) == {"estimate_delivery_lower_bound", "estimate_delivery_upper_bound",
                             "estimate_cost_lower_bound", "estimate_cost_upper_bound"}
    assert all(isinstance(v, int) for v in estimate.values())
    assert 0 <= estimate["estimate_delivery_lower_bound"] <= estimate["estimate_delivery_upper_bound"]
    assert estimate["estimate_cost_lower_bound"] <= estimate["estimate_cost_upper_bound"]
    if budget is not None:  # the cost's centre never exceeds the budget
        assert estimate["estimate_cost_lower_bound"] <= budget
    assert estimate == world.delivery_estimate(account.account_id, account.pages[0], budget, lifetime, days, TODAY)


@pytest.mark.parametrize(("minor", "offset", "expected"), [(0, 100, "0.00"), (186, 100, "1.86"), (5, 100, "0.05"),
                                                         (1234, 1, "1234"), (0, 1, "0")])
def test_minor_to_units(minor: int, offset: int, expected: str) -> None:
    assert str(minor_to_units(minor, offset)) == expected


def test_binomial_stays_in_range() -> None:
    import random

    rng = random.Random(1)
    draws = [binomial(rng, 10, 0.5) for _ in range(500)]
    assert min(draws) >= 0 and max(draws) <= 10 and binomial(rng, 0, 0.5) == 0


def test_today_is_resolved_once() -> None:
    world = World(size=WorldSize(days=3))
    assert isinstance(world.today, date) and not isinstance(world.today, datetime)


def test_spend_respects_the_budgets(world: World) -> None:
    """Meta lets a day reach +75% of a daily budget; a lifetime budget caps the whole run."""
    spend: dict[str, int] = {}
    for campaign, _day, result in all_days(world):
        if result is None:
            continue
        spend[campaign.message_campaign_id] = spend.get(campaign.message_campaign_id, 0) + result.spend_minor
        if campaign.daily_budget_minor is not None:
            assert result.spend_minor * 4 <= campaign.daily_budget_minor * 7
    for campaign in world.all_campaigns():
        if campaign.lifetime_budget_minor is not None:
            assert spend.get(campaign.message_campaign_id, 0) <= campaign.lifetime_budget_minor
