"""Campaigns exactly: every field of a parsed campaign, each error word for word, the listing's and
the node's requests as sent, which rows need the node and which row wins for a repeated campaign."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pipelines.graph.accounts import AdAccount
from pipelines.graph.campaigns import (
    MessageCampaign,
    fetch_campaigns,
    fetch_message_campaign_ids,
    parse_campaign,
    parse_time,
)
from pipelines.graph.errors import GraphError, GraphPermissionError
from tests.graph.helpers import Recorder, client_for, error, ok, params_of

USD = AdAccount("1", "Shop", "USD", 100, "America/New_York", 1)
JPY = AdAccount("2", "Mise", "JPY", 1, "Asia/Tokyo", 1)
FILTER = '[{"field":"campaign.is_message_campaign","operator":"EQUAL","value":true}]'
LISTING_FIELDS = (
    "id,status,adset{id,name,daily_budget,lifetime_budget,start_time,end_time,promoted_object{pixel_id}},"
    "campaign{id,name,status,is_direct_send_campaign,is_message_campaign},creative{actor_id}"
)
NODE_FIELDS = (
    "id,campaign{name},creative{actor_id},"
    "adset{id,name,daily_budget,lifetime_budget,start_time,end_time,promoted_object{pixel_id}}"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        (0, None),
        ("0", None),
        (None, None),
        (1, datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
        ("1", datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
        ("00", datetime(1970, 1, 1, tzinfo=UTC)),
        (" 1777629600 ", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        (" 2026-05-01T10:00:00+0000 ", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00+0530", datetime(2026, 5, 1, 4, 30, tzinfo=UTC)),
        ("2026-05-01T10:00:00-0745", datetime(2026, 5, 1, 17, 45, tzinfo=UTC)),
        ("2026-05-01T10:00:00+05:30", datetime(2026, 5, 1, 4, 30, tzinfo=UTC)),
        ("2026-05-01T10:00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),  # no offset: UTC
        ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
        ("2026-05-01Z", datetime(2026, 5, 1, tzinfo=UTC)),  # only read once "Z" is spelled +00:00
        ("2026-05-01T10:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_time_values(value, expected):
    assert parse_time(value, "t") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999999999999999", "t: '999999999999999999' is not a time"),  # 18 digits: past year 9999
        ("soon", "t: 'soon' is not a time"),
        ("+0000", "t: '+0000' is not a time"),  # an offset needs something before it to be rewritten
        ("1+0000", "t: '1+00:00' is not a time"),
        ("soon+0000", "t: 'soon+00:00' is not a time"),
        ("+000", "t: '+000' is not a time"),  # four digits only
        ("abcX1234", "t: 'abcX1234' is not a time"),  # only + or - starts an offset
        ("abc+12x4", "t: 'abc+12x4' is not a time"),
        ("abc1+234", "t: 'abc1+234' is not a time"),
        ("x" * 50, "t: '" + "x" * 40 + "' is not a time"),
        ("  soon  ", "t: 'soon' is not a time"),
    ],
)
def test_parse_time_errors_word_for_word(value, message):
    with pytest.raises(GraphError) as caught:
        parse_time(value, "t")
    assert str(caught.value) == message


def test_naive_times_are_read_as_utc():
    got = parse_time("2026-05-01T10:00:00", "t")
    assert got is not None and got.tzinfo is UTC


def _full_ad():
    return {
        "id": "ad7",
        "status": "PAUSED",
        "creative": {"actor_id": 1234},
        "adset": {
            "id": "s7",
            "daily_budget": "1500",
            "lifetime_budget": "0",
            "start_time": "2026-05-01T10:00:00-0700",
            "end_time": "1777629600",
            "promoted_object": {"pixel_id": "px9"},
        },
        "campaign": {"id": "c7", "name": "Spring", "status": "ACTIVE"},
    }


def test_every_field_of_a_listing_row():
    assert parse_campaign(_full_ad(), USD) == MessageCampaign(
        message_campaign_id="c7",
        ad_account_id="1",
        campaign_name="Spring",
        page_id="1234",
        status="ACTIVE",
        daily_budget=Decimal("15"),
        lifetime_budget=None,
        start_time=datetime(2026, 5, 1, 17, tzinfo=UTC),
        end_time=datetime(2026, 5, 1, 10, tzinfo=UTC),
        pixel_id="px9",
        adset_id="s7",
        ad_id="ad7",
    )


def test_a_bare_row_is_all_empty_but_its_id():
    """A campaign node without `campaign`: the row's own id is the campaign's (and the ad's)."""
    assert parse_campaign({"id": "c5"}, JPY) == MessageCampaign(
        "c5", "2", None, None, None, None, None, None, None, None, None, "c5"
    )


@pytest.mark.parametrize("junk", ["text", ["a"], 5, None])
def test_parts_that_are_not_objects_are_empty(junk):
    ad = {"id": "ad1", "campaign": {"id": "c1"}, "adset": junk, "creative": junk}
    assert parse_campaign(ad, USD) == MessageCampaign(
        "c1", "1", None, None, None, None, None, None, None, None, None, "ad1"
    )


def test_a_campaign_that_is_not_an_object_falls_back_to_the_row_id():
    assert parse_campaign({"id": "ad1", "campaign": "c1"}, USD).message_campaign_id == "ad1"


@pytest.mark.parametrize(
    ("campaign_status", "ad_status", "expected"),
    [("ACTIVE", "PAUSED", "ACTIVE"), (None, "PAUSED", "PAUSED"), ("", "PAUSED", "PAUSED"), (None, None, None),
     ("", "", None)],
)
def test_status_is_the_campaign_s_else_the_ad_s(campaign_status, ad_status, expected):
    ad = {"id": "ad1", "status": ad_status, "campaign": {"id": "c1", "status": campaign_status}}
    assert parse_campaign(ad, USD).status == expected


@pytest.mark.parametrize(("name", "expected"), [("Spring", "Spring"), ("", ""), (5, None), (None, None)])
def test_only_a_text_name_is_kept(name, expected):
    assert parse_campaign({"id": "ad1", "campaign": {"id": "c1", "name": name}}, USD).campaign_name == expected


@pytest.mark.parametrize(("value", "expected"), [("", None), (None, None), ("77", "77"), (77, "77")])
def test_empty_ids_are_no_ids(value, expected):
    ad = {"id": "ad1", "campaign": {"id": "c1"}, "creative": {"actor_id": value},
          "adset": {"id": value, "promoted_object": {"pixel_id": value}}}
    got = parse_campaign(ad, USD)
    assert (got.page_id, got.adset_id, got.pixel_id) == (expected, expected, expected)


@pytest.mark.parametrize(
    ("budget", "expected"), [("100", Decimal("1")), ("1", Decimal("0.01")), ("0", None), ("", None), (None, None)]
)
def test_budgets_one_unit_and_a_cent_are_set(budget, expected):
    ad = {"id": "ad1", "campaign": {"id": "c1"}, "adset": {"daily_budget": budget, "lifetime_budget": budget}}
    got = parse_campaign(ad, USD)
    assert (got.daily_budget, got.lifetime_budget) == (expected, expected)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ad: ad["campaign"].update(id=True), "act_1 campaign id: missing or not an id"),
        (lambda ad: ad["creative"].update(actor_id=True), "act_1 campaign c7 page id: missing or not an id"),
        (lambda ad: ad["adset"].update(daily_budget="lots"), "act_1 campaign c7 daily_budget: 'lots' is not a number"),
        (lambda ad: ad["adset"].update(lifetime_budget="x"), "act_1 campaign c7 lifetime_budget: 'x' is not a number"),
        (lambda ad: ad["adset"].update(start_time="soon"), "act_1 campaign c7 start_time: 'soon' is not a time"),
        (lambda ad: ad["adset"].update(end_time="late"), "act_1 campaign c7 end_time: 'late' is not a time"),
        (lambda ad: ad["adset"]["promoted_object"].update(pixel_id=[1]), "act_1 campaign c7 pixel_id: missing or not an id"),
        (lambda ad: ad["adset"].update(id=1.5), "act_1 campaign c7 adset id: missing or not an id"),
        (lambda ad: ad.update(id={"x": 1}), "act_1 campaign c7 ad id: missing or not an id"),
    ],
)
def test_each_field_error_names_the_campaign_and_the_field(change, message):
    ad = _full_ad()
    change(ad)
    with pytest.raises(GraphError) as caught:
        parse_campaign(ad, USD)
    assert str(caught.value) == message


def _listing(rows, nodes=None):
    """A handler answering the ads listing with `rows` and each campaign node from `nodes`."""
    nodes = nodes or {}

    def handler(request):
        path = request.url.path.removeprefix("/v25.0/")
        if path.endswith("/ads"):
            return ok({"data": rows})
        return ok(nodes[path])

    return Recorder(handler)


def test_message_campaign_ids_request_and_filter():
    rows = [
        {"campaign": {"id": "c1", "is_message_campaign": True}},
        {"campaign": {"id": 22, "is_message_campaign": True}},
        {"campaign": {"id": "c1", "is_message_campaign": True}},
        {"campaign": {"id": "r1", "is_message_campaign": False}},
        {"campaign": {"id": "r2", "is_message_campaign": "true"}},
        {"campaign": {"id": "r3"}},
        {"campaign": "c4"},
        {},
    ]
    rec = _listing(rows)
    client, _ = client_for(rec)
    assert fetch_message_campaign_ids(client, "7") == {"c1", "22"}
    assert rec.paths == ["/v25.0/act_7/ads"]
    params = params_of(rec.requests[0])
    assert {k: params[k] for k in ("fields", "filtering", "limit")} == {
        "fields": "campaign{id,is_message_campaign}", "filtering": FILTER, "limit": "500"}


def test_message_campaign_ids_errors_name_the_account():
    client, _ = client_for(_listing([{"campaign": {"id": None, "is_message_campaign": True}}]))
    with pytest.raises(GraphError) as caught:
        fetch_message_campaign_ids(client, "7")
    assert str(caught.value) == "act_7 campaign id: missing or not an id"
    client, _ = client_for(lambda r: ok({"rows": []}))
    with pytest.raises(GraphError) as caught:
        fetch_message_campaign_ids(client, "7")
    assert str(caught.value) == "act_7: act_7/ads returned no `data` list"


def test_listing_request_and_a_complete_row_needs_no_node():
    row = {**_full_ad(), "campaign": {**_full_ad()["campaign"], "is_message_campaign": True}}
    rec = _listing([{"id": "r0", "campaign": {"id": "r", "is_message_campaign": False}}, row])
    client, _ = client_for(rec)
    assert fetch_campaigns(client, USD) == [parse_campaign(_full_ad(), USD)]
    assert rec.paths == ["/v25.0/act_1/ads"]
    params = params_of(rec.requests[0])
    assert {k: params[k] for k in ("fields", "filtering", "limit")} == {
        "fields": LISTING_FIELDS, "filtering": FILTER, "limit": "200"}


def test_listing_errors_name_the_account():
    client, _ = client_for(lambda r: ok({"rows": []}))
    with pytest.raises(GraphError) as caught:
        fetch_campaigns(client, USD)
    assert str(caught.value) == "act_1: act_1/ads returned no `data` list"


@pytest.mark.parametrize(
    ("row", "adset_id"),
    [
        ({"id": "ad1", "adset": {"id": "s1", "promoted_object": {"pixel_id": "1"}}}, "s1"),  # no creative
        ({"id": "ad1", "creative": {"actor_id": "p0"}, "adset": {"id": "s1"}}, "s1"),  # no promoted_object
        ({"id": "ad1", "creative": {"actor_id": "p0"}}, None),  # no adset
    ],
)
def test_a_row_without_creative_or_promoted_object_is_completed_from_the_node(row, adset_id):
    """The node's ad set fields win over the listing's, the listing's campaign fields over the
    node's, and the node's creative replaces the listing's."""
    row = {**row, "status": "PAUSED", "campaign": {"id": "c1", "is_message_campaign": True, "status": "ACTIVE"}}
    row["adset"] = {**row.get("adset", {}), "daily_budget": "1000", "end_time": "1777629600"}
    node = {"id": "c1", "campaign": {"name": "From node", "status": "DELETED"}, "creative": {"actor_id": "p2"},
            "adset": {"daily_budget": "2000", "promoted_object": {"pixel_id": "88"}}}
    rec = _listing([row], {"c1": node})
    client, _ = client_for(rec)
    assert fetch_campaigns(client, USD) == [
        MessageCampaign("c1", "1", "From node", "p2", "ACTIVE", Decimal("20"), None, None,
                        datetime(2026, 5, 1, 10, tzinfo=UTC), "88", adset_id, "ad1")
    ]
    assert rec.paths == ["/v25.0/act_1/ads", "/v25.0/c1"]
    assert params_of(rec.requests[1])["fields"] == NODE_FIELDS


def test_a_node_without_creative_leaves_no_page():
    row = {"id": "ad1", "creative": {"actor_id": "p0"}, "campaign": {"id": "c1", "is_message_campaign": True}}
    client, _ = client_for(_listing([row], {"c1": {"id": "c1"}}))
    assert fetch_campaigns(client, USD)[0].page_id is None


def test_the_node_read_names_the_account():
    """An error on the node read names the account (the read is made for it)."""
    row = {"id": "ad1", "campaign": {"id": "c1", "is_message_campaign": True}}
    client, _ = client_for(lambda r: ok({"data": [row]}) if r.url.path.endswith("/ads") else error(200, message="nope"))
    with pytest.raises(GraphPermissionError) as caught:
        fetch_campaigns(client, USD)
    assert str(caught.value) == "act_1: missing permission (code 200): nope"


@pytest.mark.parametrize("node", [["c1"], "c1", None])
def test_a_node_that_is_not_an_object_is_refused(node):
    row = {"id": "ad1", "campaign": {"id": "c1", "is_message_campaign": True}}
    client, _ = client_for(_listing([row], {"c1": node}))
    with pytest.raises(GraphError) as caught:
        fetch_campaigns(client, USD)
    assert str(caught.value) == "act_1 campaign c1: the campaign node is not an object"


def test_a_node_read_for_a_row_without_campaign_id_is_refused():
    row = {"id": "ad1", "campaign": {"is_message_campaign": True}}
    client, _ = client_for(_listing([row]))
    with pytest.raises(GraphError) as caught:
        fetch_campaigns(client, USD)
    assert str(caught.value) == "act_1 campaign id: missing or not an id"


def _ad(ad_id, campaign_id, name):
    ad = {"creative": {}, "adset": {"promoted_object": {}},
          "campaign": {"id": campaign_id, "name": name, "is_message_campaign": True}}
    if ad_id is not None:
        ad["id"] = ad_id
    return ad


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        ([_ad("a2", "c1", "second"), _ad("a1", "c1", "first")], "first"),
        ([_ad("a1", "c1", "first"), _ad("a2", "c1", "second")], "first"),
        ([_ad("a1", "c1", "first"), _ad("a1", "c1", "again")], "first"),  # the same ad twice: the first
        ([_ad("1", "c1", "with id"), _ad(None, "c1", "no id")], "no id"),  # no ad id sorts first
        ([_ad(None, "c1", "no id"), _ad("1", "c1", "with id")], "no id"),
        ([_ad(None, "c1", "no id"), _ad("A", "c1", "with id")], "no id"),
    ],
)
def test_a_repeated_campaign_keeps_the_lowest_ad_id(rows, kept):
    client, _ = client_for(_listing(rows))
    assert [c.campaign_name for c in fetch_campaigns(client, USD)] == [kept]


def test_campaigns_sorted_by_id_after_a_regular_one():
    rows = [_ad("a3", "c3", "C"), {"id": "r", "campaign": {"id": "r", "is_message_campaign": False}},
            _ad("a1", "c10", "A"), _ad("a2", "c2", "B")]
    client, _ = client_for(_listing(rows))
    assert [c.message_campaign_id for c in fetch_campaigns(client, USD)] == ["c10", "c2", "c3"]
