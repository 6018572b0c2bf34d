"""Insights request building and the tolerant-but-exact row parser."""

import json
from datetime import date
from decimal import Decimal

import pytest

from pipelines.graph.client import decode_json
from pipelines.graph.errors import GraphError
from pipelines.graph.insights import MM_METRICS, PIXEL_ACTION_TYPES, insights_params, parse_row

DAY = date(2026, 5, 1)


def test_params_cover_every_documented_metric_and_the_pixel_filter():
    params = insights_params(DAY, date(2026, 5, 31), ("7d_click", "1d_view", "default"))
    fields = params["fields"].split(",")
    assert set(MM_METRICS) <= set(fields) and len(MM_METRICS) == 8
    assert {"spend", "actions", "action_values", "website_purchase_roas", "campaign_id"} <= set(fields)
    assert params["level"] == "campaign" and params["time_increment"] == 1
    assert params["time_range"] == {"since": "2026-05-01", "until": "2026-05-31"}
    assert params["action_breakdowns"] == ["action_type"]
    assert params["filtering"] == [{"field": "action_type", "operator": "IN", "value": list(PIXEL_ACTION_TYPES)}]
    assert len(PIXEL_ACTION_TYPES) == 10
    assert params["action_attribution_windows"] == ["7d_click", "1d_view"]
    assert "date_preset" not in params


# The measure-performance example response (§1.3), as one daily row.
MEAS_ROW = """{
  "campaign_id": 120210000000000001, "account_currency": "USD",
  "actions": [
    {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
    {"action_type": "offsite_conversion.fb_pixel_add_to_cart", "value": "8"},
    {"action_type": "link_click", "value": "40"}],
  "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "249.99", "7d_click": "200.00"}],
  "website_purchase_roas": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "6.43"}],
  "marketing_messages_spend": "38.87", "marketing_messages_delivered": "2755",
  "marketing_messages_link_btn_click": "268", "marketing_messages_read_rate": "79.419238",
  "marketing_messages_link_btn_click_rate": "9.727768", "marketing_messages_cost_per_link_btn_click": "0.145037",
  "marketing_messages_delivery_rate": "0", "marketing_messages_cost_per_delivered": "0.014109",
  "date_start": "2026-05-01", "date_stop": "2026-05-01"}"""


def test_parse_documented_example():
    row, actions = parse_row(decode_json(MEAS_ROW), "1", "EUR", DAY, DAY, ("7d_click", "1d_view"))
    assert row.message_campaign_id == "120210000000000001"
    assert row.spend == Decimal("38.87") and row.delivered == 2755 and row.link_clicks == 268
    assert row.read_rate == Decimal("79.419238") and row.website_purchase_roas == Decimal("6.43")
    assert row.currency == "USD"
    got = {(a.action_type.rsplit("_", 1)[-1], a.attribution_window, a.conversions, a.conversion_value) for a in actions}
    assert got == {
        ("purchase", "default", Decimal(3), Decimal("249.99")),
        ("purchase", "7d_click", Decimal(2), Decimal("200.00")),
        ("purchase", "1d_view", Decimal(1), None),
        ("cart", "default", Decimal(8), None),
    }


@pytest.mark.parametrize(
    ("changes", "spend", "delivered", "read_rate"),
    [
        ({}, Decimal("1.5"), 7, Decimal("50.5")),
        ({"marketing_messages_spend": None, "spend": "2.25"}, Decimal("2.25"), 7, Decimal("50.5")),
        ({"marketing_messages_delivered": 7}, Decimal("1.5"), 7, Decimal("50.5")),
        ({"marketing_messages_delivered": None, "marketing_messages_read_rate": None}, Decimal("1.5"), 0, None),
        ({"marketing_messages_read_rate": "481.818182"}, Decimal("1.5"), 7, Decimal("481.818182")),
    ],
)
def test_tolerant_numbers(changes, spend, delivered, read_rate):
    """INFERRED shapes: numbers as strings or JSON numbers, `spend` fallback, absent metrics, unclamped rates."""
    raw = {"campaign_id": "9", "marketing_messages_spend": "1.5", "marketing_messages_delivered": "7",
           "marketing_messages_read_rate": "50.5", "date_start": "2026-05-01", "date_stop": "2026-05-01"}
    raw.update(changes)
    raw = {k: v for k, v in raw.items() if v is not None}
    row, actions = parse_row(decode_json(json.dumps(raw)), "1", "USD", DAY, DAY, ())
    assert (row.spend, row.delivered, row.read_rate) == (spend, delivered, read_rate)
    assert actions == []


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"campaign_id": None}, "campaign_id"),
        ({"campaign_id": {"id": "9"}}, "campaign_id: missing or not an id"),
        ({"campaign_id": ["9"]}, "campaign_id: missing or not an id"),
        ({"date_start": "2026-04-30", "date_stop": "2026-04-30"}, "outside"),
        ({"date_stop": "2026-05-02"}, "outside"),
        ({"date_start": "May 1"}, "not dates"),
        ({"marketing_messages_delivered": "7.5"}, "whole number"),
        ({"marketing_messages_spend": "abc"}, "not a number"),
        ({"marketing_messages_spend": "NaN"}, "finite"),
    ],
)
def test_rows_that_would_corrupt_numbers_raise(changes, match):
    raw = {"campaign_id": "9", "marketing_messages_spend": "1", "date_start": "2026-05-01", "date_stop": "2026-05-01"}
    raw.update(changes)
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(GraphError, match=match):
        parse_row(raw, "1", "USD", DAY, DAY, ())


def test_float_values_are_refused():
    with pytest.raises(GraphError, match="float"):
        parse_row({"campaign_id": "9", "marketing_messages_spend": 0.1, "date_start": "2026-05-01"}, "1", "USD", DAY, DAY, ())
