"""The documented vocabulary over HTTP: node types, edges, breakdowns, filtering, sort, summary, runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest

from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.simulator.clock import ManualClock

TODAY = date(2026, 6, 17)
SIZE = WorldSize(accounts=2, campaigns_per_account=6, days=60, sends_per_campaign_day=150)
WORLD = World(5, SIZE, TODAY)
ACCOUNT = WORLD.accounts[0].account_id
CAMPAIGNS = WORLD.campaigns(ACCOUNT)
CLOCK = ManualClock()
MM = json.dumps([{"field": "campaign.is_message_campaign", "operator": "EQUAL", "value": True}])
WEEK = {"level": "campaign", "time_range": json.dumps({"since": "2026-06-01", "until": "2026-06-07"}),
        "time_increment": "1", "limit": "500"}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with running_simulator(seed=5, size=SIZE, today=TODAY, world=WORLD, clock=CLOCK, job_seconds=10.0) as url:
        with httpx.Client(base_url=f"{url}/v25.0", headers={"Authorization": "Bearer sim-token"}, timeout=10) as c:
            yield c


def error_of(response: httpx.Response) -> dict:
    assert response.status_code >= 400
    return response.json()["error"]


def test_three_node_types_with_their_own_fields(client: httpx.Client) -> None:
    campaign = CAMPAIGNS[0]
    node = client.get(f"/{campaign.message_campaign_id}", params={"fields": "objective,is_message_campaign"}).json()
    assert node == {"objective": "OUTCOME_ENGAGEMENT", "is_message_campaign": True, "id": campaign.message_campaign_id}
    adset = client.get(f"/{campaign.adset_id}", params={"fields": "campaign_id,billing_event"}).json()
    assert adset == {"campaign_id": campaign.message_campaign_id, "billing_event": "IMPRESSIONS", "id": campaign.adset_id}
    wrong = error_of(client.get(f"/{campaign.adset_id}", params={"fields": "objective"}))
    assert wrong["message"] == "(#100) Tried accessing nonexisting field (objective) on node type (AdSet)"
    ad = client.get(f"/{campaign.ad_id}", params={"fields": "adset_id,creative{actor_id}"}).json()
    assert ad["adset_id"] == campaign.adset_id and ad["creative"]["actor_id"] == campaign.page_id


def test_the_send_docs_read_of_a_message_campaign_still_works(client: httpx.Client) -> None:
    campaign = CAMPAIGNS[0]
    fields = "id,campaign{name},creative{actor_id},adset{name,start_time,promoted_object{pixel_id}}"
    node = client.get(f"/{campaign.message_campaign_id}", params={"fields": fields}).json()
    assert node["campaign"]["name"] == campaign.name and node["creative"] == {"actor_id": campaign.page_id}
    assert node["adset"]["id"] == campaign.adset_id


def test_campaign_listing_hides_message_campaigns_unless_asked(client: httpx.Client) -> None:
    hidden = client.get(f"/act_{ACCOUNT}/campaigns", params={"summary": "true"}).json()
    assert hidden["data"] == [] and hidden["summary"] == {"total_count": 0}
    shown = client.get(f"/act_{ACCOUNT}/campaigns", params={"filtering": MM, "summary": "true", "limit": "2"}).json()
    assert len(shown["data"]) == 2 and shown["summary"] == {"total_count": 6} and "next" in shown["paging"]


def test_listings_filter_on_effective_status(client: httpx.Client) -> None:
    paused = json.dumps([{"field": "campaign.effective_status", "operator": "IN", "value": ["PAUSED"]}])
    ads = client.get(f"/act_{ACCOUNT}/ads", params={"filtering": paused, "limit": "100"}).json()["data"]
    assert {a["id"] for a in ads} == {c.ad_id for c in CAMPAIGNS if c.status == "PAUSED"}
    by_param = client.get(f"/act_{ACCOUNT}/adsets", params={"effective_status": '["ACTIVE"]', "limit": "100"}).json()
    assert {a["id"] for a in by_param["data"]} == {c.adset_id for c in CAMPAIGNS if c.status == "ACTIVE"}
    me = client.get("/me/adaccounts", params={"summary": "true"}).json()
    assert me["summary"] == {"total_count": 2} and set(me["data"][0]) == {"account_id", "id"}


def test_standard_metrics_follow_from_deliveries_clicks_and_spend(client: httpx.Client) -> None:
    fields = "impressions,reach,frequency,clicks,spend,cpm,ctr,cpc,marketing_messages_link_btn_click"
    rows = client.get(f"/act_{ACCOUNT}/insights", params={**WEEK, "fields": fields}).json()["data"]
    assert len(rows) >= 6
    for row in rows:
        impressions, clicks, spend = int(row["impressions"]), int(row["clicks"]), Decimal(row["spend"])
        assert row["reach"] == row["impressions"] and row["frequency"] == "1"
        assert row["clicks"] == row["marketing_messages_link_btn_click"]
        assert abs(Decimal(row["cpm"]) - spend * 1000 / impressions) < Decimal("0.000001")
        assert abs(Decimal(row["ctr"]) - Decimal(clicks) * 100 / impressions) < Decimal("0.000001")


def test_breakdowns_and_action_breakdowns_add_keys_and_keep_totals(client: httpx.Client) -> None:
    base = {**WEEK, "fields": "campaign_id,marketing_messages_spend,actions"}
    plain = client.get(f"/act_{ACCOUNT}/insights", params=base).json()["data"]
    split = client.get(f"/act_{ACCOUNT}/insights", params={
        **base, "breakdowns": "country,publisher_platform", "action_breakdowns": "action_type,action_destination",
    }).json()["data"]
    assert [(r["country"], r["publisher_platform"]) for r in split] == [("unknown", "messenger")] * len(plain)
    assert [r["marketing_messages_spend"] for r in split] == [r["marketing_messages_spend"] for r in plain]
    assert {a["action_destination"] for r in split for a in r.get("actions", [])} == {"web"}
    removed = error_of(client.get(f"/act_{ACCOUNT}/insights", params={**base, "breakdowns": "dma"}))
    assert removed["code"] == 100


def test_filtering_on_objects_and_metrics(client: httpx.Client) -> None:
    paused = [c.message_campaign_id for c in CAMPAIGNS if c.status == "PAUSED"]
    rule = json.dumps([{"field": "campaign.id", "operator": "IN", "value": paused[:1]},
                       {"field": "ad.effective_status", "operator": "IN", "value": ["PAUSED"]}])
    rows = client.get(f"/act_{ACCOUNT}/insights", params={**WEEK, "fields": "campaign_id", "filtering": rule}).json()
    assert {r["campaign_id"] for r in rows["data"]} <= set(paused[:1])
    big = json.dumps([{"field": "campaign.marketing_messages_delivered", "operator": "GREATER_THAN", "value": 100}])
    rows = client.get(f"/act_{ACCOUNT}/insights", params={**WEEK, "fields": "marketing_messages_delivered",
                                                        "filtering": big}).json()["data"]
    assert rows and all(int(r["marketing_messages_delivered"]) > 100 for r in rows)


def test_sort_and_summary(client: httpx.Client) -> None:
    params = {**WEEK, "time_increment": "all_days", "fields": "campaign_id,marketing_messages_spend",
              "sort": "marketing_messages_spend_ascending", "summary": "marketing_messages_spend"}
    body = client.get(f"/act_{ACCOUNT}/insights", params=params).json()
    spends = [Decimal(r["marketing_messages_spend"]) for r in body["data"]]
    assert spends == sorted(spends)
    assert body["summary"] == {"marketing_messages_spend": str(sum(spends)), "date_start": "2026-06-01",
                               "date_stop": "2026-06-07"}
    many = error_of(client.get(f"/act_{ACCOUNT}/insights", params={**params, "sort": '["reach_ascending","spend_descending"]'}))
    assert many["code"] == 100


def test_time_ranges_give_one_result_set_each(client: httpx.Client) -> None:
    ranges = json.dumps([{"since": "2026-06-01", "until": "2026-06-03"}, {"since": "2026-06-04", "until": "2026-06-07"}])
    rows = client.get(f"/act_{ACCOUNT}/insights", params={"level": "account", "fields": "spend",
                                                        "time_ranges": ranges}).json()["data"]
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [("2026-06-01", "2026-06-03"), ("2026-06-04", "2026-06-07")]


def test_reduce_the_amount_of_data_clears_with_a_smaller_limit_or_range() -> None:
    fields = "campaign_id,impressions,reach,clicks,spend,cpm,ctr,cpc,frequency,marketing_messages_delivered"
    params = {"level": "campaign", "date_preset": "last_30d", "time_increment": "1", "fields": fields}
    # 10 fields + the two dates = 12 points a row: 100 rows are 1,200 points, 50 rows 600.
    with running_simulator(seed=5, size=SIZE, today=TODAY, world=WORLD, max_sync_points=1000,
                           max_sync_scan=500) as url:
        with httpx.Client(base_url=f"{url}/v25.0", params={"access_token": "sim-token"}, timeout=10) as client:
            refused = error_of(client.get(f"/act_{ACCOUNT}/insights", params={**params, "limit": "100"}))
            halved = client.get(f"/act_{ACCOUNT}/insights", params={**params, "limit": "50"})
            # 6 campaigns x 90 days = 540 campaign-days scanned; 6 x 60 = 360 is within 500.
            too_long = error_of(client.get(f"/act_{ACCOUNT}/insights", params={
                **params, "date_preset": "last_90d", "limit": "10"}))
            shorter = client.get(f"/act_{ACCOUNT}/insights", params={
                **params, "time_range": json.dumps({"since": "2026-04-17", "until": "2026-06-15"}), "limit": "10"})
    assert (refused["code"], refused["error_subcode"]) == (100, 1487534)
    assert "Please reduce the amount of data" in refused["message"]
    assert halved.status_code == 200 and len(halved.json()["data"]) == 50
    assert (too_long["code"], too_long["error_subcode"]) == (100, 1487534)
    assert shorter.status_code == 200


def test_report_run_fields(client: httpx.Client) -> None:
    run_id = client.post(f"/act_{ACCOUNT}/insights", data={**WEEK, "fields": "campaign_id,spend,actions"}).json()[
        "report_run_id"]
    assert client.get(f"/{run_id}", params={"fields": "async_status"}).json() == {
        "async_status": "Job Not Started", "id": run_id}
    CLOCK.advance(10.0)
    rows = client.get(f"/{run_id}/insights", params={"fields": "campaign_id"}).json()["data"]
    assert rows and all(set(r) == {"campaign_id", "date_start", "date_stop"} for r in rows)
    assert error_of(client.get(f"/{run_id}/insights", params={"fields": "reach"}))["code"] == 100


def test_ad_set_delivery_estimate_and_bad_window(client: httpx.Client) -> None:
    estimate = client.get(f"/{CAMPAIGNS[0].adset_id}/message_delivery_estimate").json()["data"][0]
    assert set(estimate) == {"estimate_delivery_lower_bound", "estimate_delivery_upper_bound",
                             "estimate_cost_lower_bound", "estimate_cost_upper_bound"}
    bad = error_of(client.get(f"/act_{ACCOUNT}/insights", params={"action_attribution_windows": "3d_click"}))
    assert bad["code"] == 100 and "action_attribution_windows" in bad["message"]
