"""Contract: every JSON example of the API reference is answered in the same shape, field for field.

The examples below are copied from the project's Meta API reference (insights with actions, delivery
metrics, a recorded insights row with attribution windows, paging, async report runs, delivery
estimates, the campaign node and listing, error envelopes, usage headers). `assert_same_shape`
compares key sets and value types recursively: strings stay strings (numbers are numeric strings),
integers stay numbers, booleans stay booleans. Graph appends `id` to every object it returns, so an
extra `id` is the one key allowed beyond an example's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.simulator.clock import ManualClock

TODAY = date(2026, 6, 17)
SIZE = WorldSize(accounts=2, campaigns_per_account=8, days=60, sends_per_campaign_day=300)
WORLD = World(7, SIZE, TODAY)
ACCOUNT = WORLD.accounts[0]
CAMPAIGNS = WORLD.campaigns(ACCOUNT.account_id)
FULL = next(c for c in CAMPAIGNS if c.pixel_id and c.end_time and WORLD.life(c))  # every §3 field present

OFFSITE_EXAMPLE = {
    "data": [{
        "actions": [
            {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"},
            {"action_type": "offsite_conversion.fb_pixel_add_to_cart", "value": "8"},
        ],
        "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "249.99"}],
        "website_purchase_roas": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "6.43"}],
        "marketing_messages_spend": "38.87",
        "date_start": "<YYYY-MM-DD>", "date_stop": "<YYYY-MM-DD>",
    }],
    "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}},
}
DELIVERY_EXAMPLE = {
    "data": [{
        "marketing_messages_delivered": "2755",
        "marketing_messages_link_btn_click": "268",
        "marketing_messages_spend": "38.87",
        "marketing_messages_read_rate": "79.419238",
        "marketing_messages_link_btn_click_rate": "9.727768",
        "marketing_messages_cost_per_link_btn_click": "0.145037",
        "marketing_messages_delivery_rate": "0",
        "marketing_messages_cost_per_delivered": "0.014109",
        "date_start": "2024-05-01", "date_stop": "2025-07-29",
    }],
    "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}},
}
RECORDED_ROW_EXAMPLE = {  # the supported subset of the recorded Airbyte row
    "actions": [{"action_type": "page_engagement", "value": "10", "1d_click": "10", "7d_click": "10", "28d_click": "10"}],
    "cost_per_action_type": [
        {"action_type": "link_click", "value": "1.594444", "1d_click": "1.594444", "7d_click": "1.594444",
         "28d_click": "1.594444"}
    ],
    "impressions": "185", "spend": "14.35",
    "date_start": "2023-06-01", "date_stop": "2023-06-01", "account_currency": "USD",
}
PAGING_EXAMPLE = {
    "data": [],
    "paging": {"cursors": {"after": "MTAxNTExOTQ1MjAwNzI5NDE=", "before": "NDMyNzQyODI3OTQw"},
               "previous": "https://graph.facebook.com/{id}/albums?limit=25&before=NDMyNzQyODI3OTQw",
               "next": "https://graph.facebook.com/{id}/albums?limit=25&after=MTAxNTExOTQ1MjAwNzI5NDE="},
}
RUN_EXAMPLE = {"id": "6044775548468", "account_id": "1010035716096012", "time_ref": 1459788928,
               "time_completed": 1459788990, "async_status": "Job Completed", "async_percent_completion": 100}
SUBMIT_EXAMPLE = {"report_run_id": "6023920149050"}
ESTIMATE_EXAMPLE = {"data": [{"estimate_delivery_upper_bound": 0, "estimate_delivery_lower_bound": 0,
                              "estimate_cost_upper_bound": 0, "estimate_cost_lower_bound": 0}]}
NODE_EXAMPLE = {
    "id": "<MESSAGE_CAMPAIGN_ID>", "campaign": {"name": "<MESSAGE_CAMPAIGN_NAME>"},
    "adset": {"lifetime_budget": "<LIFETIME_BUDGET>", "daily_budget": "<DAILY_BUDGET>",
              "start_time": "<START_TIME>", "end_time": "<END_TIME>", "promoted_object": {"pixel_id": "<PIXEL_ID>"}},
    "creative": {"actor_id": "<PAGE_ID>"},
}
LISTING_EXAMPLE = {"data": [{
    "id": "<MESSAGE_ID>",
    "adset": {"name": "<ADSET_NAME>", "lifetime_budget": "...", "daily_budget": "...", "start_time": "...",
              "end_time": "...", "id": "<ADSET_ID>"},
    "campaign": {"name": "<MESSAGE_CAMPAIGN_NAME>", "is_message_campaign": True, "is_direct_send_campaign": True,
                 "id": "<MESSAGE_CAMPAIGN_ID>"},
}]}
ERROR_EXAMPLE = {"error": {"message": "Message describing the error", "type": "OAuthException", "code": 190,
                           "error_subcode": 460, "error_user_title": "A title", "error_user_msg": "A message",
                           "fbtrace_id": "EJplcsCHuLu"}}
TRANSIENT_EXAMPLE = {"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException",
                               "is_transient": True, "code": 2, "fbtrace_id": "AnUyGZoFqN2m50GHVpOQEqr"}}
APP_USAGE_EXAMPLE = {"call_count": 28, "total_time": 25, "total_cputime": 25}
ACCOUNT_USAGE_EXAMPLE = {"acc_id_util_pct": 9.67, "reset_time_duration": 100, "ads_api_access_tier": "standard_access"}
BUC_ENTRY_EXAMPLE = {"type": "ads_management", "call_count": 95, "total_cputime": 20, "total_time": 20,
                     "estimated_time_to_regain_access": 0, "ads_api_access_tier": "development_access"}
INSIGHTS_THROTTLE_EXAMPLE = {"app_id_util_pct": 100, "acc_id_util_pct": 10, "ads_api_access_tier": "standard_access"}


def kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_same_shape(example: object, actual: object, where: str = "$", subset: bool = False) -> None:
    """Same keys (an extra `id` allowed; `subset`: actual keys drawn from the example's) and types."""
    assert kind(actual) == kind(example), f"{where}: {kind(actual)} where the reference has {kind(example)}"
    if isinstance(example, dict):
        extra = set(actual) - set(example) - {"id"}
        missing = set() if subset else set(example) - set(actual)
        assert not extra and not missing, f"{where}: extra {sorted(extra)}, missing {sorted(missing)}"
        for key in set(example) & set(actual):
            assert_same_shape(example[key], actual[key], f"{where}.{key}", subset)
    elif isinstance(example, list) and example:
        for index, item in enumerate(actual):
            assert_same_shape(example[0], item, f"{where}[{index}]", subset)


CLOCK = ManualClock()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_simulator(seed=7, size=SIZE, today=TODAY, empty_page_rate=0.0, clock=CLOCK) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/v25.0", headers={"Authorization": "Bearer sim-token"}) as c:
        yield c


def test_offsite_conversions_request_and_response(client: httpx.Client) -> None:
    params = {
        "fields": "actions,action_values,website_purchase_roas,marketing_messages_spend",
        "time_range": "{'since':'2026-05-01','until':'2026-06-15'}",
        "action_breakdowns": "action_type",
        "filtering": "[{'field':'action_type','operator':'IN','value':['offsite_conversion.fb_pixel_purchase',"
        "'offsite_conversion.fb_pixel_add_to_cart','offsite_conversion.fb_pixel_initiate_checkout',"
        "'offsite_conversion.fb_pixel_lead','offsite_conversion.fb_pixel_view_content','offsite_conversion.fb_pixel_custom']}]",
    }
    body = client.get(f"/{FULL.message_campaign_id}/insights", params=params).json()
    assert_same_shape(OFFSITE_EXAMPLE, body)
    assert len(body["data"]) == 1


def test_delivery_metrics_without_dates(client: httpx.Client) -> None:
    fields = ",".join(k for k in DELIVERY_EXAMPLE["data"][0] if k.startswith("marketing_messages"))
    body = client.get(f"/{FULL.message_campaign_id}/insights", params={"fields": fields}).json()
    assert_same_shape(DELIVERY_EXAMPLE, body)


def test_recorded_row_with_attribution_windows(client: httpx.Client) -> None:
    params = {"fields": "actions,cost_per_action_type,impressions,spend,account_currency",
              "action_attribution_windows": "1d_click,7d_click,28d_click", "date_preset": "last_30d"}
    body = client.get(f"/act_{ACCOUNT.account_id}/insights", params=params).json()
    (row,) = body["data"]
    assert_same_shape(RECORDED_ROW_EXAMPLE, row)


def test_middle_page_has_both_cursors_and_links(client: httpx.Client) -> None:
    params = {"level": "campaign", "fields": "campaign_id", "time_increment": "1", "date_preset": "last_7d", "limit": "3"}
    first = client.get(f"/act_{ACCOUNT.account_id}/insights", params=params).json()
    second = httpx.get(first["paging"]["next"]).json()
    assert_same_shape(PAGING_EXAMPLE, {**second, "data": []})


def test_async_submit_and_completed_status(client: httpx.Client) -> None:
    submitted = client.post(f"/act_{ACCOUNT.account_id}/insights", data={"level": "campaign", "fields": "spend"}).json()
    assert_same_shape(SUBMIT_EXAMPLE, submitted)
    CLOCK.advance(60.0)
    for _ in range(20):
        status = client.get(f"/{submitted['report_run_id']}").json()
        if status["async_status"] == "Job Completed":
            break
    assert_same_shape(RUN_EXAMPLE, {k: v for k, v in status.items() if k in RUN_EXAMPLE})
    assert set(status) - set(RUN_EXAMPLE) <= {"date_start", "date_stop", "is_running"}


def test_delivery_estimate(client: httpx.Client) -> None:
    params = {
        "fields": "estimate_delivery_upper_bound,estimate_delivery_lower_bound,estimate_cost_upper_bound,"
        "estimate_cost_lower_bound",
        "targeting_spec": '{messenger_positions: ["marketing_messages"], publisher_platforms:["messenger"]}',
        "promoted_object": f"{{page_id: {ACCOUNT.pages[0]}}}",
        "daily_budget": "2500", "is_direct_send_campaign": "true", "pacing_type": "no_pacing",
    }
    assert_same_shape(ESTIMATE_EXAMPLE, client.get(f"/act_{ACCOUNT.account_id}/message_delivery_estimate", params=params).json())


def test_campaign_node(client: httpx.Client) -> None:
    fields = "id,campaign{name},creative{actor_id},adset{name,lifetime_budget,daily_budget,start_time,end_time,promoted_object{pixel_id}}"
    body = client.get(f"/{FULL.message_campaign_id}", params={"fields": fields}).json()
    assert_same_shape({**NODE_EXAMPLE, "adset": {**NODE_EXAMPLE["adset"], "name": "<ADSET_NAME>"}}, body)
    assert body["id"] == FULL.message_campaign_id
    assert body["adset"]["promoted_object"] == {"pixel_id": FULL.pixel_id}


def test_campaign_listing(client: httpx.Client) -> None:
    fields = "id,adset{name,daily_budget,lifetime_budget,start_time,end_time},campaign{name,is_direct_send_campaign,is_message_campaign}"
    body = client.get(f"/act_{ACCOUNT.account_id}/ads", params={"fields": fields, "limit": "100"}).json()
    full = [ad for ad in body["data"] if ad["campaign"]["id"] == FULL.message_campaign_id]
    assert_same_shape(LISTING_EXAMPLE, {"data": full})
    assert_same_shape(LISTING_EXAMPLE, {"data": body["data"]}, subset=True)  # some have no end_time
    assert full[0]["adset"]["end_time"][-5:] in ("-0700", "-0800")  # ISO-8601 with the account's offset


@pytest.mark.parametrize("token", ["wrong", None])
def test_error_envelopes(base_url: str, token: str | None) -> None:
    params = {"access_token": token} if token else {}
    body = httpx.get(f"{base_url}/v25.0/act_{ACCOUNT.account_id}", params=params).json()
    assert_same_shape(ERROR_EXAMPLE, body, subset=True)
    assert {"message", "type", "code", "fbtrace_id"} <= set(body["error"])


def test_transient_and_throttling_envelopes() -> None:
    with running_simulator(size=SIZE, today=TODAY, faults=1.0, fault_kinds=("transient",)) as url:
        transient = httpx.get(f"{url}/v25.0/act_{ACCOUNT.account_id}", params={"access_token": "sim-token"}).json()
    assert_same_shape(TRANSIENT_EXAMPLE, transient)
    with running_simulator(size=SIZE, today=TODAY, account_budget=1) as url:
        for _ in range(2):
            throttled = httpx.get(f"{url}/v25.0/act_{ACCOUNT.account_id}/insights", params={"access_token": "sim-token"})
    error = throttled.json()["error"]
    assert_same_shape(ERROR_EXAMPLE, {"error": {k: v for k, v in error.items() if k != "is_transient"}}, subset=True)
    assert isinstance(error["error_subcode"], int)


def test_usage_headers(client: httpx.Client) -> None:
    headers = client.get(f"/act_{ACCOUNT.account_id}/insights", params={"fields": "spend"}).headers
    assert_same_shape(APP_USAGE_EXAMPLE, json.loads(headers["x-app-usage"]))
    assert_same_shape(ACCOUNT_USAGE_EXAMPLE, json.loads(headers["x-ad-account-usage"]))
    assert_same_shape(INSIGHTS_THROTTLE_EXAMPLE, json.loads(headers["x-fb-ads-insights-throttle"]))
    buc = json.loads(headers["x-business-use-case-usage"])
    assert list(buc) == [ACCOUNT.account_id]
    assert_same_shape([BUC_ENTRY_EXAMPLE], buc[ACCOUNT.account_id])
    assert buc[ACCOUNT.account_id][0]["type"] == "ads_insights"
