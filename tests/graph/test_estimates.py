"""Delivery estimates on a scripted Graph API: the request (one Page, no budget cap), the documented
one-element `data` list and a bare object, minor units turned into currency units, and the errors."""

from datetime import date
from decimal import Decimal

import pytest

from pipelines.graph.accounts import AdAccount
from pipelines.graph.errors import GraphError
from pipelines.graph.estimates import DeliveryEstimate, fetch_estimate
from tests.graph.helpers import Recorder, client_for, error, ok, params_of

EUR = AdAccount("1001", "Shop", "EUR", 100, "Europe/Berlin", 1)
JPY = AdAccount("2002", None, "JPY", 1, "Asia/Tokyo", None)
DAY = date(2026, 11, 20)
ITEM = {"estimate_delivery_lower_bound": "1200", "estimate_delivery_upper_bound": 3400,
        "estimate_cost_lower_bound": "1550", "estimate_cost_upper_bound": "2001"}


def test_the_request_asks_for_one_page_without_a_budget_cap():
    rec = Recorder(lambda r: ok({"data": [ITEM]}))
    client, _ = client_for(rec)
    fetch_estimate(client, EUR, "777", DAY)
    (request,) = rec.requests
    assert request.url.path == "/v25.0/act_1001/message_delivery_estimate"
    assert params_of(request) == {
        "fields": "estimate_delivery_lower_bound,estimate_delivery_upper_bound,"
                  "estimate_cost_lower_bound,estimate_cost_upper_bound",
        "targeting_spec": '{"messenger_positions":["marketing_messages"],"publisher_platforms":["messenger"]}',
        "promoted_object": '{"page_id":"777"}',
        "is_direct_send_campaign": "true",
        "pacing_type": "no_pacing",
    }


@pytest.mark.parametrize("body", [{"data": [ITEM, {"estimate_delivery_lower_bound": "9"}]}, ITEM])
def test_an_estimate_in_a_data_list_or_bare_is_read_in_currency_units(body):
    client, _ = client_for(lambda r: ok(body))
    assert fetch_estimate(client, EUR, "777", DAY) == DeliveryEstimate(
        ad_account_id="1001", snapshot_date=DAY, page_id="777", daily_budget=None,
        estimate_delivery_lower_bound=1200, estimate_delivery_upper_bound=3400,
        estimate_cost_lower_bound=Decimal("15.50"), estimate_cost_upper_bound=Decimal("20.01"),
    )


def test_a_currency_without_minor_units_keeps_the_amount_and_missing_values_are_none_or_zero():
    client, _ = client_for(lambda r: ok({"data": [{"estimate_cost_lower_bound": "1550"}]}))
    estimate = fetch_estimate(client, JPY, "888", DAY)
    assert estimate.estimate_cost_lower_bound == Decimal("1550") and estimate.estimate_cost_upper_bound is None
    assert (estimate.estimate_delivery_lower_bound, estimate.estimate_delivery_upper_bound) == (0, 0)
    assert (estimate.ad_account_id, estimate.page_id) == ("2002", "888")


@pytest.mark.parametrize("body", [{"data": []}, {"data": ["x"]}, {"data": {"a": 1}}, [ITEM], "x"])
def test_no_estimate_is_an_error_naming_the_account(body):
    client, _ = client_for(lambda r: ok(body))
    with pytest.raises(GraphError) as raised:
        fetch_estimate(client, EUR, "777", DAY)
    assert str(raised.value) == "act_1001: message_delivery_estimate returned no estimate"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimate_delivery_lower_bound", "1.5", "act_1001 estimate lower bound: '1.5' is not a whole number"),
        ("estimate_delivery_upper_bound", "x", "act_1001 estimate upper bound: 'x' is not a number"),
        ("estimate_cost_lower_bound", "x", "act_1001 estimate cost: 'x' is not a number"),
        ("estimate_cost_upper_bound", "y", "act_1001 estimate cost: 'y' is not a number"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_account_and_field(field, value, message):
    client, _ = client_for(lambda r: ok({"data": [{**ITEM, field: value}]}))
    with pytest.raises(GraphError) as raised:
        fetch_estimate(client, EUR, "777", DAY)
    assert str(raised.value) == message


def test_an_error_from_graph_names_the_account():
    client, _ = client_for(lambda r: error(368, message="blocked"))
    with pytest.raises(GraphError) as raised:
        fetch_estimate(client, EUR, "777", DAY)
    assert str(raised.value) == "act_1001: Graph API error (code 368): blocked"
