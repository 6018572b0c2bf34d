"""Campaign listing, budgets in currency units (zero-decimal currencies) and time formats."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipelines.currencies import currency_offset
from pipelines.graph.accounts import AdAccount, fetch_account
from pipelines.graph.campaigns import fetch_campaigns, parse_campaign, parse_time
from pipelines.graph.errors import GraphError, UnknownAccountError
from tests.graph.helpers import Recorder, client_for, error, ok

USD = AdAccount("1", "Shop", "USD", 100, "America/New_York", 1)
JPY = AdAccount("2", "Mise", "JPY", 1, "Asia/Tokyo", 1)


# Offsets from Meta's "Currency codes" page; CRC and IDR have offset 1 there although ISO 4217
# gives them two decimals, and Meta's BHD is 100 although ISO gives it three.
@pytest.mark.parametrize(
    ("currency", "offset"),
    [("USD", 100), ("EUR", 100), ("JPY", 1), ("krw", 1), ("CLP", 1), ("TWD", 1), ("CRC", 1), ("IDR", 1), ("BHD", 100)],
)
def test_currency_offset(currency, offset):
    assert currency_offset(currency) == offset


@pytest.mark.parametrize(("account", "budget"), [(USD, Decimal("50")), (JPY, Decimal("5000"))])
def test_budgets_in_currency_units(account, budget):
    ad = {"id": "a1", "campaign": {"id": "c1", "name": "Spring"}, "adset": {"id": "s1", "daily_budget": "5000"}}
    assert parse_campaign(ad, account).daily_budget == budget


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-01T10:00:00-0700", datetime(2026, 5, 1, 17, tzinfo=UTC)),
        ("2026-05-01T10:00:00+00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("1777629600", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        (1777629600, datetime(2026, 5, 1, 10, tzinfo=UTC)),
        (None, None),
        ("0", None),
    ],
)
def test_parse_time_accepts_iso_and_unix(value, expected):
    assert parse_time(value, "t") == expected


@pytest.mark.parametrize("value", ["soon", "99999999999999999999", "\u00b2", "2026-13-01T00:00:00Z"])
def test_parse_time_refuses_what_is_not_a_time(value):
    with pytest.raises(GraphError, match="t: .* is not a time"):
        parse_time(value, "t")


def test_listing_keeps_message_campaigns_and_reads_the_node_for_missing_pixel():
    listing = {
        "data": [
            {"id": "ad2", "creative": {"actor_id": "p1"}, "adset": {"id": "s2", "lifetime_budget": "300000", "promoted_object": {"pixel_id": 77}},
             "campaign": {"id": "c2", "name": "B", "status": "ACTIVE", "is_message_campaign": True}},
            {"id": "ad1", "adset": {"id": "s1", "daily_budget": "1000"},
             "campaign": {"id": "c1", "name": "A", "is_message_campaign": True}},
            {"id": "ad9", "campaign": {"id": "c9", "name": "regular ads", "is_message_campaign": False}},
        ]
    }

    def handler(request):
        if request.url.path.endswith("/ads"):
            return ok(listing)
        assert request.url.path.endswith("/c1")
        return ok({"id": "c1", "campaign": {"name": "A"}, "creative": {"actor_id": "p2"},
                   "adset": {"daily_budget": "1000", "promoted_object": {"pixel_id": "88"}}})

    rec = Recorder(handler)
    client, _ = client_for(rec)
    campaigns = fetch_campaigns(client, USD)
    assert [c.message_campaign_id for c in campaigns] == ["c1", "c2"]
    c1, c2 = campaigns
    assert (c1.page_id, c1.pixel_id, c1.daily_budget, c1.ad_id) == ("p2", "88", Decimal("10"), "ad1")
    assert (c2.page_id, c2.pixel_id, c2.lifetime_budget, c2.status) == ("p1", "77", Decimal("3000"), "ACTIVE")
    assert len(rec.requests) == 2
    assert "is_message_campaign" in rec.requests[0].url.params["filtering"]


@pytest.mark.parametrize("code", [100, 803])
def test_unknown_account_is_a_usage_error(code):
    client, _ = client_for(lambda r: error(code, message="Unsupported get request. Object with ID 'act_9' does not exist"))
    with pytest.raises(UnknownAccountError, match=rf"act_9: unknown.*code {code}"):
        fetch_account(client, "9")


@pytest.mark.parametrize(("status", "expected"), [(1, 1), ("2", 2), ("²", None), ("open", None), (True, None)])
def test_account_node(status, expected):
    """The status is kept when it is a whole number; anything else Meta might send is left out."""
    client, _ = client_for(lambda r: ok({"id": "act_5", "account_id": "5", "name": "N", "currency": "jpy",
                                         "timezone_name": "Asia/Tokyo", "account_status": status}))
    account = fetch_account(client, "5")
    assert account == AdAccount("5", "N", "JPY", 1, "Asia/Tokyo", expected)


def test_unused_budget_reported_as_zero_is_not_set():
    ad = {"id": "a1", "campaign": {"id": "c1"}, "adset": {"daily_budget": "0", "lifetime_budget": "250000"}}
    campaign = parse_campaign(ad, USD)
    assert (campaign.daily_budget, campaign.lifetime_budget) == (None, Decimal("2500"))
