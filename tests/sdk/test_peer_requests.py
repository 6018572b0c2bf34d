"""The requests Airbyte's and dlt's Facebook sources send by default (peers.md §1, §2) are answered.

Parameters copied from their sources (Airbyte `streams/base_insight_streams.py`, `schemas/ads_insights.json`;
dlt `sources/facebook_ads/settings.py`, `__init__.py`), sent through the SDK both use.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.exceptions import FacebookRequestError

from tests.sdk.test_sdk_insights import run_to_completion
from tests.sdk.truth_rows import expected_days

AIRBYTE_FIELDS = """account_currency account_id account_name action_values actions ad_click_actions ad_id
ad_impression_actions ad_name adset_id adset_name attribution_setting auction_bid auction_competitiveness
auction_max_competitor_bid buying_type campaign_id campaign_name canvas_avg_view_percent canvas_avg_view_time
catalog_segment_actions catalog_segment_value clicks conversion_rate_ranking conversion_values conversions
cost_per_action_type cost_per_inline_link_click cost_per_outbound_click cost_per_unique_click cpc cpm cpp
created_time ctr date_start date_stop engagement_rate_ranking frequency impressions inline_link_click_ctr
inline_link_clicks inline_post_engagement mobile_app_purchase_roas objective optimization_goal outbound_clicks
purchase_roas quality_ranking reach social_spend spend unique_actions unique_clicks unique_ctr
unique_inline_link_clicks updated_time video_p25_watched_actions website_ctr website_purchase_roas""".split()
AIRBYTE_STATUSES = ["ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED",
                    "PENDING_BILLING_INFO", "CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"]
DLT_INSIGHT_FIELDS = ["campaign_id", "adset_id", "ad_id", "date_start", "date_stop", "reach", "impressions",
                      "frequency", "clicks", "unique_clicks", "ctr", "unique_ctr", "cpc", "cpm", "cpp", "spend",
                      "actions", "action_values", "cost_per_action_type", "website_ctr"]
DLT_CAMPAIGN_FIELDS = ["id", "updated_time", "created_time", "name", "status", "effective_status", "objective",
                       "start_time", "stop_time", "daily_budget", "lifetime_budget"]
DLT_ADSET_FIELDS = ["id", "updated_time", "created_time", "name", "status", "effective_status", "campaign_id",
                    "start_time", "end_time", "daily_budget", "lifetime_budget", "optimization_goal",
                    "promoted_object", "billing_event", "bid_amount", "bid_strategy", "targeting"]
DLT_AD_FIELDS = ["id", "updated_time", "created_time", "name", "status", "effective_status", "adset_id",
                 "campaign_id", "creative", "targeting", "tracking_specs", "conversion_specs"]


def test_airbyte_default_insights_job(api, simulator, world) -> None:
    account = world.accounts[0]
    params = {
        "level": "ad",
        "action_breakdowns": ["action_type", "action_target_id", "action_destination"],
        "action_attribution_windows": ["1d_click", "7d_click", "28d_click", "1d_view"],
        "time_increment": 1,
        "time_range": {"since": "2026-06-01", "until": "2026-06-16"},
        "filtering": [{"field": "ad.effective_status", "operator": "IN", "value": AIRBYTE_STATUSES}],
    }
    edge = AdAccount(f"act_{account.account_id}", api=api)
    job = edge.get_insights(fields=AIRBYTE_FIELDS, params=params, is_async=True)
    rows = list(run_to_completion(simulator, job).get_result(params={"limit": 100}))
    days = {(r["campaign_id"], r["date_start"], int(r["impressions"])) for r in rows}
    assert days == {(d[0], d[1], d[3]) for d in expected_days(world, account.account_id) if d[1] >= "2026-06-01"}
    assert all("action_destination" in a for r in rows for a in r.get("actions", []))


def test_airbyte_halves_limit_to_clear_reduce_data(api, world) -> None:
    edge = AdAccount(f"act_{world.accounts[0].account_id}", api=api)
    params = {"level": "ad", "time_increment": 1, "date_preset": "last_90d", "limit": 1000}
    with pytest.raises(FacebookRequestError) as refused:
        list(edge.get_insights(fields=AIRBYTE_FIELDS, params=params))
    assert (refused.value.api_error_code(), refused.value.api_error_subcode()) == (100, 1487534)
    assert "reduce the amount of data" in refused.value.api_error_message()
    rows = list(edge.get_insights(fields=AIRBYTE_FIELDS, params={**params, "limit": 100}))
    assert len(rows) == len(expected_days(world, world.accounts[0].account_id)) > 100


def test_dlt_default_insights_job_per_day(api, simulator, world) -> None:
    account = world.accounts[1]
    query = {"level": "ad", "limit": 50, "time_increment": 1,
             "action_attribution_windows": ["1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view"],
             "time_ranges": [{"since": "2026-06-10", "until": "2026-06-10"}], "fields": DLT_INSIGHT_FIELDS}
    job = AdAccount(f"act_{account.account_id}", api=api).get_insights(params=query, is_async=True)
    rows = list(run_to_completion(simulator, job).get_result())
    expected = {(d[0], d[2]) for d in expected_days(world, account.account_id) if d[1] == "2026-06-10"}
    assert {(r["campaign_id"], Decimal(r["spend"])) for r in rows} == expected
    assert all("7d_view" not in a for r in rows for a in r.get("actions", []))


def test_dlt_default_object_listings(api, world) -> None:
    account = world.accounts[0]
    edge = AdAccount(f"act_{account.account_id}", api=api)
    states = {"effective_status": ["ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED",
                                   "PENDING_BILLING_INFO", "CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED"]}
    assert list(edge.get_campaigns(fields=DLT_CAMPAIGN_FIELDS, params=states)) == []  # hidden by default
    adsets = list(edge.get_ad_sets(fields=DLT_ADSET_FIELDS, params=states))
    ads = list(edge.get_ads(fields=DLT_AD_FIELDS, params=states))
    assert len(adsets) == len(ads) == len(world.campaigns(account.account_id))
    assert {a["targeting"]["publisher_platforms"][0] for a in adsets} == {"messenger"}
