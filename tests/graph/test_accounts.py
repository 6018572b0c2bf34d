"""Ad account nodes on a scripted Graph API: the fields asked for, what is kept of the node, and the
errors, each naming the account; minor-unit amounts in currency units."""

from decimal import Decimal

import httpx
import pytest

from pipelines.graph.accounts import AdAccount, fetch_account, minor_to_units
from pipelines.graph.errors import GraphAuthError, GraphError, UnknownAccountError
from tests.graph.helpers import TOKEN, Recorder, client_for, error, ok, params_of

NODE = {"id": "act_5", "account_id": "5", "name": "Shop", "currency": "eur", "timezone_name": "Europe/Berlin",
        "account_status": 1}


def test_the_node_is_asked_for_its_fields_and_kept():
    rec = Recorder(lambda r: ok(NODE))
    client, _ = client_for(rec)
    assert fetch_account(client, "5") == AdAccount("5", "Shop", "EUR", 100, "Europe/Berlin", 1)
    (request,) = rec.requests
    assert request.url.path == "/v25.0/act_5"
    assert params_of(request) == {"fields": "id,account_id,name,currency,timezone_name,account_status"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"account_id": None}, AdAccount("5", "Shop", "EUR", 100, "Europe/Berlin", 1)),
        ({"account_id": "act_77"}, AdAccount("77", "Shop", "EUR", 100, "Europe/Berlin", 1)),
        ({"account_id": 77}, AdAccount("77", "Shop", "EUR", 100, "Europe/Berlin", 1)),
        ({"name": 5}, AdAccount("5", None, "EUR", 100, "Europe/Berlin", 1)),
        ({"name": None}, AdAccount("5", None, "EUR", 100, "Europe/Berlin", 1)),
        ({"currency": "JPY", "account_status": None}, AdAccount("5", "Shop", "JPY", 1, "Europe/Berlin", None)),
        ({"account_status": "2"}, AdAccount("5", "Shop", "EUR", 100, "Europe/Berlin", 2)),
        ({"account_status": ["1"]}, AdAccount("5", "Shop", "EUR", 100, "Europe/Berlin", None)),
    ],
)
def test_what_is_kept_of_the_node(changes, expected):
    node = {k: v for k, v in {**NODE, **changes}.items() if v is not None or k != "account_id"}
    client, _ = client_for(lambda r: ok(node))
    assert fetch_account(client, "5") == expected


@pytest.mark.parametrize("status", ["1e0", "1.0"])
def test_a_status_written_as_a_json_fraction_or_exponent_is_no_status(status):
    # Decoded as Decimal (`1e0` prints as "1"): only an integer or a digit string is a status.
    text = '{"account_id": "5", "currency": "EUR", "timezone_name": "Europe/Berlin", "account_status": ' + status + "}"
    client, _ = client_for(lambda r: httpx.Response(200, text=text))
    assert fetch_account(client, "5") == AdAccount("5", None, "EUR", 100, "Europe/Berlin", None)


def test_an_unknown_account_is_a_usage_error_with_meta_s_text_redacted():
    client, _ = client_for(lambda r: error(100, message=f"Object act_9 does not exist (token {TOKEN})"))
    with pytest.raises(UnknownAccountError) as raised:
        fetch_account(client, "9")
    assert str(raised.value) == "act_9: unknown ad account (code 100): Object act_9 does not exist (token [redacted])"
    assert raised.value.info is not None and raised.value.info.code == 100
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_other_errors_on_the_node_pass_through():
    client, _ = client_for(lambda r: error(190, message="expired"))
    with pytest.raises(GraphAuthError):
        fetch_account(client, "9")


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (error(368, message="blocked"), "act_9: Graph API error (code 368): blocked"),
        (httpx.Response(503, text="down"), "act_9: http_5xx on every one of 2 attempts"),
    ],
)
def test_a_failure_that_is_not_code_100_is_not_an_unknown_account(response, message):
    client, _ = client_for(lambda r: response, attempts=2)
    with pytest.raises(GraphError) as raised:
        fetch_account(client, "9")
    assert type(raised.value) is GraphError and str(raised.value) == message


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (["x"], "act_5: the account node is not an object"),
        ({**NODE, "currency": None}, "act_5: the account node lacks currency or timezone_name"),
        ({**NODE, "timezone_name": 3}, "act_5: the account node lacks currency or timezone_name"),
        ({**NODE, "timezone_name": "Mars/Base"}, "unknown time zone 'Mars/Base' on an ad account"),
        ({**NODE, "account_id": ["5"]}, "act_5 account_id: missing or not an id"),
    ],
)
def test_a_node_that_cannot_be_used_is_an_error(node, message):
    client, _ = client_for(lambda r: ok(node))
    with pytest.raises(GraphError) as raised:
        fetch_account(client, "5")
    assert type(raised.value) is GraphError and str(raised.value) == message


@pytest.mark.parametrize(
    ("value", "offset", "expected"),
    [("1500", 100, Decimal("15")), (1550, 100, Decimal("15.5")), ("1500", 1, Decimal("1500")), (None, 100, None), ("", 100, None)],
)
def test_minor_units_in_currency_units(value, offset, expected):
    assert minor_to_units(value, offset, "budget") == expected


def test_a_minor_unit_amount_that_is_no_number_names_what_it_is():
    with pytest.raises(GraphError, match=r"^daily budget: 'ten' is not a number$"):
        minor_to_units("ten", 100, "daily budget")
