"""Meta's SDK reads accounts, campaigns, ad sets and ads from the simulator as it would from Meta."""

from __future__ import annotations

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User

MM_FILTER = [{"field": "campaign.is_message_campaign", "operator": "EQUAL", "value": True}]


def test_account_node(api, world) -> None:
    account = world.accounts[0]
    node = AdAccount(f"act_{account.account_id}", api=api).api_get(fields=["name", "currency", "timezone_name"])
    assert (node["name"], node["currency"], node["timezone_name"]) == (account.name, "USD", "America/Los_Angeles")


def test_me_adaccounts_lists_every_account(api, world) -> None:
    listed = User(fbid="me", api=api).get_ad_accounts(fields=["account_id", "name"])
    assert sorted(a["account_id"] for a in listed) == sorted(a.account_id for a in world.accounts)
    assert listed.total() == 2


def test_campaigns_hide_message_campaigns_unless_filtered(api, world) -> None:
    account = world.accounts[0]
    listing = AdAccount(f"act_{account.account_id}", api=api)
    assert list(listing.get_campaigns(fields=["name"])) == []
    found = listing.get_campaigns(fields=["name", "objective", "effective_status", "is_message_campaign"],
                                  params={"filtering": MM_FILTER})
    rows = list(found)
    assert sorted(c["id"] for c in rows) == sorted(c.message_campaign_id for c in world.campaigns(account.account_id))
    assert {c["objective"] for c in rows} == {"OUTCOME_ENGAGEMENT"} and all(c["is_message_campaign"] for c in rows)
    assert found.total() == 4


def test_campaign_and_ad_set_nodes_have_their_own_fields(api, world) -> None:
    campaign = world.campaigns(world.accounts[0].account_id)[0]
    node = Campaign(campaign.message_campaign_id, api=api).api_get(fields=["objective", "name"])
    assert (node["objective"], node["name"]) == ("OUTCOME_ENGAGEMENT", campaign.name)
    adset = AdSet(campaign.adset_id, api=api).api_get(fields=["promoted_object", "campaign_id", "daily_budget"])
    assert adset["promoted_object"]["page_id"] == campaign.page_id
    assert adset["campaign_id"] == campaign.message_campaign_id
    assert adset["daily_budget"] == str(campaign.daily_budget_minor or 0)


def test_ad_sets_of_an_account(api, world) -> None:
    account = world.accounts[1]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_ad_sets(fields=["campaign_id", "promoted_object"]))
    assert {(r["id"], r["campaign_id"]) for r in rows} == {
        (c.adset_id, c.message_campaign_id) for c in world.campaigns(account.account_id)
    }


def test_ads_with_nested_pixel(api, world) -> None:
    account = world.accounts[0]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_ads(
        fields=["name", "adset{promoted_object{pixel_id}}", "campaign{is_message_campaign}"],
        params={"filtering": [{"field": "ad.effective_status", "operator": "IN", "value": ["ACTIVE", "PAUSED"]}]},
    ))
    expected = {(c.ad_id, c.pixel_id) for c in world.campaigns(account.account_id)}
    assert {(r["id"], r["adset"]["promoted_object"].get("pixel_id")) for r in rows} == expected
    assert any(pixel for _, pixel in expected) and any(pixel is None for _, pixel in expected)


def test_ad_set_delivery_estimate(api, world) -> None:
    campaign = world.campaigns(world.accounts[0].account_id)[0]
    estimate = list(AdSet(campaign.adset_id, api=api).get_message_delivery_estimate(
        fields=["estimate_delivery_lower_bound", "estimate_delivery_upper_bound"]))
    (row,) = estimate
    assert 0 <= row["estimate_delivery_lower_bound"] <= row["estimate_delivery_upper_bound"]


def test_every_field_of_meta_schema_can_be_requested(api, world) -> None:
    """Connectors ask for their schema's fields (Airbyte's streams ask for dozens): none is an error."""
    from facebook_business.adobjects.ad import Ad

    account = world.accounts[0]
    campaign = world.campaigns(account.account_id)[0]
    edge = AdAccount(f"act_{account.account_id}", api=api)
    assert edge.api_get(fields=sorted(AdAccount._field_types))["id"] == f"act_{account.account_id}"
    listed = list(edge.get_campaigns(fields=sorted(Campaign._field_types), params={"filtering": MM_FILTER}))
    assert listed and listed[0]["objective"] == "OUTCOME_ENGAGEMENT"
    assert list(edge.get_ad_sets(fields=sorted(AdSet._field_types)))[0]["billing_event"] == "IMPRESSIONS"
    assert Ad(campaign.ad_id, api=api).api_get(fields=sorted(Ad._field_types))["adset_id"] == campaign.adset_id
