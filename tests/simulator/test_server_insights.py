"""Insights rows from the world: parameters, numbers as strings, ratios, actions and windows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from pipelines.simulator.insights import build_rows, money, ratio
from pipelines.simulator.insights_query import QueryError, loose_json, parse_query
from pipelines.simulator.world import World, WorldSize

TODAY = date(2026, 6, 17)


@pytest.fixture(scope="module")
def world() -> World:
    return World(7, WorldSize(accounts=2, campaigns_per_account=4, days=60, sends_per_campaign_day=200), TODAY)


def rows_for(world: World, params: dict, account_index: int = 0) -> list[dict]:
    account = world.accounts[account_index]
    query = parse_query(params, world.account_today(account.account_id), "account")
    return build_rows(world, account, world.campaigns(account.account_id), query)


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        (268, 2755, 100, "9.727768"),  # Meta's own example (reference §1.3)
        (Decimal("38.87"), 268, 1, "0.145037"),
        (Decimal("38.87"), 2755, 1, "0.014109"),
        (1, 2, 100, "50"),
        (0, 5, 100, "0"),
        (5, 0, 100, None),
    ],
)
def test_ratio_has_six_decimals_without_trailing_zeros(numerator, denominator, scale, expected) -> None:
    assert ratio(numerator, denominator, scale) == expected


@pytest.mark.parametrize(
    ("amount", "offset", "expected"),
    [(Decimal("38.87"), 100, "38.87"), (Decimal("7"), 100, "7.00"), (Decimal("6708"), 1, "6708")],
)
def test_money_follows_the_currency_minor_unit(amount, offset, expected) -> None:
    assert money(amount, offset) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"since":"2026-06-01","until":"2026-06-10"}',
        "{'since':'2026-06-01','until':'2026-06-10'}",
        "{since: '2026-06-01', until: '2026-06-10'}",
    ],
)
def test_loose_json_reads_docs_style_pseudo_json(text: str) -> None:
    assert loose_json(text) == {"since": "2026-06-01", "until": "2026-06-10"}


def test_loose_json_keeps_ids_out_of_floats() -> None:
    assert loose_json("{page_id: 12345678901234567890}") == {"page_id": "12345678901234567890"}


def test_account_level_default_is_one_row_for_last_30_days(world: World) -> None:
    rows = rows_for(world, {"fields": "spend,marketing_messages_delivered"})
    assert len(rows) == 1
    assert rows[0]["date_start"] == "2026-05-18" and rows[0]["date_stop"] == "2026-06-16"
    assert all(isinstance(value, str) for value in rows[0].values())


def test_campaign_level_daily_rows_add_up_to_the_account_total(world: World) -> None:
    window = {"time_range": "{'since':'2026-06-01','until':'2026-06-10'}"}
    total = rows_for(world, {"fields": "marketing_messages_spend,marketing_messages_delivered", **window})[0]
    daily = rows_for(
        world,
        {"fields": "campaign_id,marketing_messages_spend,marketing_messages_delivered", "level": "campaign",
         "time_increment": "1", **window},
    )
    assert {row["date_start"] for row in daily} <= {f"2026-06-{d:02d}" for d in range(1, 11)}
    assert all(row["date_start"] == row["date_stop"] for row in daily)
    assert sum(Decimal(r["marketing_messages_spend"]) for r in daily) == Decimal(total["marketing_messages_spend"])
    assert sum(int(r["marketing_messages_delivered"]) for r in daily) == int(total["marketing_messages_delivered"])


def test_numbers_match_the_world(world: World) -> None:
    account = world.accounts[0]
    campaign = next(c for c in world.campaigns(account.account_id) if world.life(c))
    day = world.life(campaign)[1]
    figures = world.campaign_day(campaign.message_campaign_id, day)
    params = {
        "fields": "campaign_id,marketing_messages_delivered,marketing_messages_link_btn_click,marketing_messages_spend,"
        "marketing_messages_read_rate",
        "level": "campaign",
        "time_range": f'{{"since":"{day}","until":"{day}"}}',
        "filtering": f'[{{"field":"campaign.id","operator":"IN","value":["{campaign.message_campaign_id}"]}}]',
    }
    (row,) = rows_for(world, params)
    assert row["campaign_id"] == campaign.message_campaign_id
    assert row["marketing_messages_delivered"] == str(figures.insights_delivered)
    assert row["marketing_messages_link_btn_click"] == str(figures.link_clicks)
    assert Decimal(row["marketing_messages_spend"]) == figures.spend
    assert row["marketing_messages_read_rate"] == ratio(figures.reads, figures.insights_delivered, 100)


def test_actions_windows_filtering_and_roas(world: World) -> None:
    params = {
        "fields": "actions,action_values,website_purchase_roas,spend",
        "date_preset": "last_30d",
        "action_breakdowns": "action_type",
        "action_attribution_windows": '["7d_click","1d_view","7d_view","28d_view"]',
        "filtering": "[{'field':'action_type','operator':'IN','value':['offsite_conversion.fb_pixel_purchase',"
        "'offsite_conversion.fb_pixel_add_to_cart']}]",
    }
    (row,) = rows_for(world, params)
    types = {a["action_type"] for a in row["actions"]}
    assert types <= {"offsite_conversion.fb_pixel_purchase", "offsite_conversion.fb_pixel_add_to_cart"} and types
    for action in row["actions"]:
        assert set(action) == {"action_type", "value", "7d_click", "1d_view"}  # no 7d_view/28d_view
        assert int(action["value"]) == int(action["7d_click"]) + int(action["1d_view"]) > 0
    purchase_value = next(Decimal(a["value"]) for a in row["action_values"] if a["action_type"].endswith("purchase"))
    (roas,) = row["website_purchase_roas"]
    assert roas["value"] == ratio(purchase_value, Decimal(row["spend"]))


def test_without_windows_actions_carry_only_the_default_value(world: World) -> None:
    (row,) = rows_for(world, {"fields": "actions"})
    assert all(set(action) == {"action_type", "value"} for action in row["actions"])
    assert all(int(action["value"]) > 0 for action in row["actions"])


def test_zero_action_types_are_omitted(world: World) -> None:
    """A short early range sees few conversions: every type listed must have a non-zero count."""
    account = world.accounts[0]
    first, _ = world.history(account.account_id)
    rows = rows_for(
        world,
        {"fields": "campaign_id,actions", "level": "campaign", "time_increment": "1",
         "time_range": f'{{"since":"{first}","until":"{first + timedelta(days=3)}"}}'},
    )
    listed = [a for row in rows for a in row.get("actions", [])]
    assert all(int(a["value"]) > 0 for a in listed)


def test_no_row_for_days_without_activity(world: World) -> None:
    account = world.accounts[0]
    first, _ = world.history(account.account_id)
    before = first - timedelta(days=10)
    assert rows_for(world, {"fields": "spend", "time_range": f'{{"since":"{before}","until":"{before}"}}'}) == []


@pytest.mark.parametrize(
    ("params", "code", "fragment"),
    [
        ({"fields": "spend,bogus"}, 100, "bogus"),
        ({"level": "region"}, 100, "level"),
        ({"date_preset": "lifetime"}, 100, "date_preset"),
        ({"time_range": "{'since':'2026-06-10','until':'2026-06-01'}"}, 100, "since"),
        ({"time_range": "{'since':'2020-01-01','until':'2026-06-01'}"}, 3018, "37 months"),
        ({"time_range": "2026-06-01"}, 100, "time_range"),
        ({"time_increment": "weekly"}, 100, "time_increment"),
        ({"action_breakdowns": "action_colour"}, 100, "action_breakdowns"),
        ({"breakdowns": "dma"}, 100, "breakdowns"),
        ({"filtering": "[{'field':'ad.colour','operator':'EQUAL','value':1}]"}, 100, "ad.colour"),
        ({"filtering": "[{'field':'reach','operator':'SHOUTS','value':1}]"}, 100, "SHOUTS"),
        ({"sort": "reach_sideways"}, 100, "sort"),
    ],
)
def test_bad_parameters_are_graph_errors(params: dict, code: int, fragment: str) -> None:
    with pytest.raises(QueryError, match=fragment) as caught:
        parse_query(params, TODAY, "account")
    assert caught.value.code == code
