"""Insights requests and rows to the letter: the whole parameter set (reference §1.2-§1.4), every
field of a parsed row and its action rows, and each error's message word for word."""

from datetime import date
from decimal import Decimal

import pytest

from pipelines.graph.client import decode_json
from pipelines.graph.errors import GraphError
from pipelines.graph.insights import (
    ActionRow,
    InsightRow,
    insights_params,
    is_message_campaign_row,
    parse_row,
    to_count,
    to_decimal,
    to_id,
)

DAY = date(2026, 5, 1)
# Reference §1.3, the ten supported offsite action types, in its order.
PIXEL = [
    "offsite_conversion.fb_pixel_purchase", "offsite_conversion.fb_pixel_add_to_cart",
    "offsite_conversion.fb_pixel_initiate_checkout", "offsite_conversion.fb_pixel_lead",
    "offsite_conversion.fb_pixel_view_content", "offsite_conversion.fb_pixel_custom",
    "offsite_conversion.fb_pixel_complete_registration", "offsite_conversion.fb_pixel_search",
    "offsite_conversion.fb_pixel_add_payment_info", "offsite_conversion.fb_pixel_add_to_wishlist",
]
FIELDS = (
    "account_id,account_currency,campaign_id,campaign_name,"
    "marketing_messages_delivered,marketing_messages_read_rate,marketing_messages_link_btn_click,"
    "marketing_messages_link_btn_click_rate,marketing_messages_cost_per_link_btn_click,"
    "marketing_messages_cost_per_delivered,marketing_messages_spend,marketing_messages_delivery_rate,"
    "spend,actions,action_values,website_purchase_roas,date_start,date_stop"
)


@pytest.mark.parametrize("windows", [(), ("default",)])
def test_the_whole_request_without_extra_windows(windows):
    assert insights_params(DAY, date(2026, 5, 3), windows) == {
        "level": "campaign",
        "fields": FIELDS,
        "time_range": {"since": "2026-05-01", "until": "2026-05-03"},
        "time_increment": 1,
        "action_breakdowns": ["action_type"],
        "filtering": [{"field": "action_type", "operator": "IN", "value": PIXEL}],
    }


def test_windows_other_than_default_are_asked_for_in_order():
    params = insights_params(DAY, DAY, ("28d_click", "default", "1d_view"))
    assert params["action_attribution_windows"] == ["28d_click", "1d_view"]


# The reference's two example responses (§1.3) as one daily row, with two windows asked for.
ROW = """{
  "campaign_id": "120210000000000001", "account_currency": "USD",
  "actions": [
    {"action_type": "offsite_conversion.fb_pixel_add_to_cart", "value": "8", "7d_click": ""},
    {"action_type": "link_click", "value": "40"},
    {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
    {"action_type": "offsite_conversion.fb_pixel_lead", "value": "", "1d_view": "4"}],
  "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "249.99", "7d_click": "200.00"}],
  "website_purchase_roas": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "6.43"}],
  "marketing_messages_spend": "38.87", "marketing_messages_delivered": "2755",
  "marketing_messages_link_btn_click": "268", "marketing_messages_read_rate": "79.419238",
  "marketing_messages_link_btn_click_rate": "9.727768", "marketing_messages_cost_per_link_btn_click": "0.145037",
  "marketing_messages_delivery_rate": "0", "marketing_messages_cost_per_delivered": "0.014109",
  "date_start": "2026-05-01", "date_stop": "2026-05-01"}"""


def test_every_field_of_a_row_and_its_actions():
    row, actions = parse_row(decode_json(ROW), "1", "EUR", DAY, DAY, ("7d_click", "default", "1d_view"))
    assert row == InsightRow(
        ad_account_id="1", message_campaign_id="120210000000000001", date=DAY, currency="USD",
        spend=Decimal("38.87"), delivered=2755, link_clicks=268, read_rate=Decimal("79.419238"),
        delivery_rate=Decimal("0"), link_btn_click_rate=Decimal("9.727768"),
        cost_per_link_btn_click=Decimal("0.145037"), cost_per_delivered=Decimal("0.014109"),
        website_purchase_roas=Decimal("6.43"),
    )
    purchase, cart, lead = PIXEL[0], PIXEL[1], PIXEL[3]
    assert actions == [
        ActionRow("1", "120210000000000001", DAY, purchase, "default", Decimal("3"), Decimal("249.99")),
        ActionRow("1", "120210000000000001", DAY, purchase, "7d_click", Decimal("2"), Decimal("200.00")),
        ActionRow("1", "120210000000000001", DAY, purchase, "1d_view", Decimal("1"), None),
        ActionRow("1", "120210000000000001", DAY, cart, "default", Decimal("8"), None),
        ActionRow("1", "120210000000000001", DAY, lead, "1d_view", Decimal("4"), None),
    ]


def test_a_bare_row_falls_back_to_the_account_currency_spend_zero_and_no_rates():
    row, actions = parse_row({"campaign_id": 9, "account_currency": "", "date_start": "2026-05-01"}, "1", "EUR", DAY, DAY, ())
    assert row == InsightRow("1", "9", DAY, "EUR", Decimal(0), 0, 0, None, None, None, None, None, None)
    assert actions == []


def test_an_empty_marketing_messages_spend_is_no_spend_even_beside_spend():
    raw = {"campaign_id": "9", "marketing_messages_spend": "", "spend": "5", "date_start": "2026-05-01"}
    assert parse_row(raw, "1", "EUR", DAY, DAY, ())[0].spend == Decimal(0)


def test_a_row_inside_a_longer_range_is_kept_on_its_day():
    raw = {"campaign_id": "9", "date_start": "2026-05-03", "date_stop": "2026-05-03"}
    assert parse_row(raw, "1", "EUR", DAY, date(2026, 5, 3), ())[0].date == date(2026, 5, 3)


W = "act_1 campaign 9"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"campaign_id": None}, "act_1 insights campaign_id: missing or not an id"),
        ({"campaign_id": "  "}, "act_1 insights campaign_id: missing"),
        ({"date_start": "May 1"}, f"{W}: date_start/date_stop are not dates"),
        ({"date_stop": "2026-05-02"}, f"{W}: row for 2026-05-01..2026-05-02 outside the daily range 2026-05-01..2026-05-01"),
        ({"date_start": "2026-04-30", "date_stop": "2026-04-30"},
         f"{W}: row for 2026-04-30..2026-04-30 outside the daily range 2026-05-01..2026-05-01"),
        ({"date_start": "2026-05-02", "date_stop": "2026-05-02"},
         f"{W}: row for 2026-05-02..2026-05-02 outside the daily range 2026-05-01..2026-05-01"),
        ({"marketing_messages_spend": "x"}, f"{W} spend: 'x' is not a number"),
        ({"marketing_messages_delivered": "x"}, f"{W} delivered: 'x' is not a number"),
        ({"marketing_messages_link_btn_click": "x"}, f"{W} link clicks: 'x' is not a number"),
        ({"marketing_messages_read_rate": "x"}, f"{W} read_rate: 'x' is not a number"),
        ({"marketing_messages_delivery_rate": "x"}, f"{W} delivery_rate: 'x' is not a number"),
        ({"marketing_messages_link_btn_click_rate": "x"}, f"{W} click rate: 'x' is not a number"),
        ({"marketing_messages_cost_per_link_btn_click": "x"}, f"{W} cpc: 'x' is not a number"),
        ({"marketing_messages_cost_per_delivered": "x"}, f"{W} cpd: 'x' is not a number"),
        ({"website_purchase_roas": "x"}, f"{W} website_purchase_roas: expected a list of action stats"),
        ({"website_purchase_roas": [{"action_type": PIXEL[0], "value": "x"}]}, f"{W} website_purchase_roas: 'x' is not a number"),
        ({"actions": {"a": 1}}, f"{W} actions: expected a list of action stats"),
        ({"action_values": "x"}, f"{W} action_values: expected a list of action stats"),
        ({"actions": [{"action_type": PIXEL[0], "value": "x"}]}, f"{W} {PIXEL[0]} default: 'x' is not a number"),
        ({"actions": [{"action_type": PIXEL[0], "7d_click": "x"}]}, f"{W} {PIXEL[0]} 7d_click: 'x' is not a number"),
        ({"actions": [{"action_type": PIXEL[0], "value": "1"}], "action_values": [{"action_type": PIXEL[0], "value": "y"}]},
         f"{W} {PIXEL[0]} default value: 'y' is not a number"),
    ],
)
def test_each_error_names_the_account_campaign_and_field(changes, message):
    raw = {"campaign_id": "9", "date_start": "2026-05-01", "date_stop": "2026-05-01", **changes}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(GraphError) as raised:
        parse_row(raw, "1", "USD", DAY, DAY, ("7d_click",))
    assert str(raised.value) == message
    # no decoder error shown behind it
    assert raised.value.__cause__ is None and (raised.value.__context__ is None or raised.value.__suppress_context__)


def test_action_stats_that_are_not_entries_are_skipped():
    raw = {"campaign_id": "9", "date_start": "2026-05-01", "actions": [
        "x", {"action_type": 5, "value": "1"}, {"value": "2"}, {"action_type": PIXEL[2], "value": "7"}]}
    assert parse_row(raw, "1", "USD", DAY, DAY, ())[1] == [ActionRow("1", "9", DAY, PIXEL[2], "default", Decimal("7"), None)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("1.50", Decimal("1.50")), (" 2 ", Decimal("2")), (3, Decimal("3")),
     (Decimal("0.1"), Decimal("0.1")), ("-4", Decimal("-4"))],
)
def test_to_decimal(value, expected):
    assert to_decimal(value, "what") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "what: got a bool, expected a numeric string"),
        (0.5, "what: got a float, expected a numeric string"),
        ("y" * 50, f"what: {'y' * 40!r} is not a number"),
        ("Infinity", "what: 'Infinity' is not a finite number"),
        (Decimal("NaN"), "what: Decimal('NaN') is not a finite number"),
    ],
)
def test_to_decimal_refuses(value, message):
    with pytest.raises(GraphError) as raised:
        to_decimal(value, "what")
    assert str(raised.value) == message and raised.value.__cause__ is None


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), ("12", 12), ("3.0", 3), (7, 7)])
def test_to_count(value, expected):
    assert to_count(value, "what") == expected


def test_to_count_refuses_a_fraction():
    with pytest.raises(GraphError) as raised:
        to_count("2.5", "what")
    assert str(raised.value) == "what: '2.5' is not a whole number"


@pytest.mark.parametrize(("value", "expected"), [("12", "12"), (" 12 ", "12"), (120210000000000001, "120210000000000001")])
def test_to_id(value, expected):
    assert to_id(value, "what") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [(None, "what: missing or not an id"), (True, "what: missing or not an id"), (1.0, "what: missing or not an id"),
     ("", "what: missing"), (" ", "what: missing")],
)
def test_to_id_refuses(value, message):
    with pytest.raises(GraphError) as raised:
        to_id(value, "what")
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"campaign_id": "9", "spend": "5"}, False),
        ({"marketing_messages_spend": "", "marketing_messages_delivered": None}, False),
        ({"marketing_messages_spend": "0"}, True),
        ({"marketing_messages_delivery_rate": "0"}, True),
        ({"marketing_messages_read_rate": 0}, True),
    ],
)
def test_a_message_campaign_row_carries_a_marketing_messages_metric(raw, expected):
    assert is_message_campaign_row(raw) is expected
