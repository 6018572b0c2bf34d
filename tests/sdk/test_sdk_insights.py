"""Insights through Meta's SDK, sync and async, equal `mmlens simulator truth` row for row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.exceptions import FacebookRequestError

from tests.sdk.truth_rows import WINDOWS, expected_conversions, expected_days, read_conversions, read_days

FIELDS = ["campaign_id", "marketing_messages_spend", "marketing_messages_delivered", "marketing_messages_read",
          "marketing_messages_link_btn_click", "actions"]
PIXEL_TYPES = ["offsite_conversion.fb_pixel_purchase", "offsite_conversion.fb_pixel_add_to_cart",
               "offsite_conversion.fb_pixel_initiate_checkout", "offsite_conversion.fb_pixel_lead",
               "offsite_conversion.fb_pixel_view_content", "offsite_conversion.fb_pixel_custom",
               "offsite_conversion.fb_pixel_complete_registration", "offsite_conversion.fb_pixel_search",
               "offsite_conversion.fb_pixel_add_payment_info", "offsite_conversion.fb_pixel_add_to_wishlist"]
DAILY = {"level": "campaign", "date_preset": "last_90d", "time_increment": 1, "action_breakdowns": ["action_type"],
         "action_attribution_windows": list(WINDOWS),
         "filtering": [{"field": "action_type", "operator": "IN", "value": PIXEL_TYPES}]}


def run_to_completion(simulator, job: AdReportRun) -> AdReportRun:
    statuses = []
    for _ in range(100):
        job.api_get()
        statuses.append(job[AdReportRun.Field.async_status])
        if job[AdReportRun.Field.async_status] == "Job Completed" and job[AdReportRun.Field.async_percent_completion] == 100:
            assert "Job Running" in statuses
            return job
        simulator.clock.advance(5.0)
    raise AssertionError(f"the report run never completed: {statuses[-3:]}")


@pytest.mark.parametrize("account_index", [0, 1])
def test_async_daily_insights_over_last_90d_equal_the_truth(api, simulator, world, account_index) -> None:
    account = world.accounts[account_index]
    job = AdAccount(f"act_{account.account_id}", api=api).get_insights(fields=FIELDS, params=DAILY, is_async=True)
    rows = list(run_to_completion(simulator, job).get_result(params={"limit": 100}))
    assert len(rows) > 100
    assert read_days(rows) == expected_days(world, account.account_id)
    assert read_conversions(rows) == expected_conversions(world, account.account_id)


def test_sync_daily_insights_equal_the_truth(api, world) -> None:
    account = world.accounts[0]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_insights(fields=FIELDS, params=DAILY))
    assert read_days(rows) == expected_days(world, account.account_id)
    assert read_conversions(rows) == expected_conversions(world, account.account_id)


@pytest.mark.parametrize("level", ["adset", "ad"])
def test_every_level_gives_the_same_campaign_days(api, world, level) -> None:
    account = world.accounts[1]
    fields = [*FIELDS, f"{level}_id"]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_insights(
        fields=fields, params={**DAILY, "level": level, "limit": 200}))
    assert read_days(rows) == expected_days(world, account.account_id)
    ids = {getattr(c, f"{level}_id") for c in world.campaigns(account.account_id)}
    assert {r[f"{level}_id"] for r in rows} <= ids


def test_summary_sort_and_breakdowns(api, world) -> None:
    account = world.accounts[0]
    edge = AdAccount(f"act_{account.account_id}", api=api)
    params = {"level": "campaign", "date_preset": "last_90d", "default_summary": True,
              "sort": ["marketing_messages_spend_descending"], "breakdowns": ["publisher_platform"]}
    cursor = edge.get_insights(fields=["campaign_id", "marketing_messages_spend", "reach", "clicks", "cpm", "ctr",
                                       "frequency", "impressions"], params=params)
    rows = list(cursor)
    spends = [Decimal(r["marketing_messages_spend"]) for r in rows]
    assert spends == sorted(spends, reverse=True) and {r["publisher_platform"] for r in rows} == {"messenger"}
    total = sum(day[2] for day in expected_days(world, account.account_id))
    assert f'"marketing_messages_spend": "{total}"' in cursor.summary()
    assert all(r["frequency"] == "1" for r in rows)


def test_errors_as_meta_gives_them(simulator, world) -> None:
    with pytest.raises(FacebookRequestError) as bad_token:
        AdAccount(f"act_{world.accounts[0].account_id}", api=simulator.api("wrong")).api_get(fields=["name"])
    assert bad_token.value.api_error_code() == 190
    with pytest.raises(FacebookRequestError) as unknown:
        AdAccount("act_123", api=simulator.api()).api_get(fields=["name"])
    assert (unknown.value.api_error_code(), unknown.value.api_error_subcode()) == (100, 33)


def test_throttling_is_code_80000_for_insights() -> None:
    from pipelines.simulator.server import running_simulator
    from tests.sdk.conftest import SIZE, TODAY, TOKEN, VERSION, FacebookAdsApi

    with running_simulator(seed=3, size=SIZE, today=TODAY, access_token=TOKEN, account_budget=1) as url:
        api = FacebookAdsApi.init(access_token=TOKEN, api_version=VERSION, crash_log=False)
        api._session.GRAPH = url
        account_id = api.call("GET", ("me", "adaccounts")).json()["data"][0]["account_id"]
        edge = AdAccount(f"act_{account_id}", api=api)
        edge.get_insights(fields=["marketing_messages_spend"])
        with pytest.raises(FacebookRequestError) as throttled:
            edge.get_insights(fields=["marketing_messages_spend"])
    assert (throttled.value.api_error_code(), throttled.value.api_error_subcode()) == (80000, 2446079)


@pytest.mark.parametrize("level", ["adset", "ad"])
def test_async_daily_insights_at_lower_levels_equal_the_truth(api, simulator, world, level) -> None:
    account = world.accounts[0]
    job = AdAccount(f"act_{account.account_id}", api=api).get_insights(
        fields=[*FIELDS, f"{level}_id"], params={**DAILY, "level": level}, is_async=True)
    rows = list(run_to_completion(simulator, job).get_result(params={"limit": 100}))
    assert read_days(rows) == expected_days(world, account.account_id)
    assert read_conversions(rows) == expected_conversions(world, account.account_id)


def test_async_account_level_is_the_sum_of_campaign_days(api, simulator, world) -> None:
    account = world.accounts[1]
    job = AdAccount(f"act_{account.account_id}", api=api).get_insights(
        fields=["marketing_messages_spend", "marketing_messages_delivered"], params={**DAILY, "level": "account"},
        is_async=True)
    done = run_to_completion(simulator, job)
    status = done.api_get(fields=[AdReportRun.Field.async_status, AdReportRun.Field.date_start])
    assert (status["async_status"], status["date_start"]) == ("Job Completed", "2026-03-19")
    rows = list(done.get_result(params={"limit": 100}))
    totals: dict[str, list] = {}
    for _campaign, day, spend, delivered, _, _ in expected_days(world, account.account_id):
        slot = totals.setdefault(day, [Decimal(0), 0])
        slot[0] += spend
        slot[1] += delivered
    assert {r["date_start"]: [Decimal(r["marketing_messages_spend"]), int(r["marketing_messages_delivered"])]
            for r in rows} == totals


def test_account_delivery_estimate(api, world) -> None:
    account = world.accounts[0]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_message_delivery_estimate(
        fields=["estimate_delivery_lower_bound", "estimate_cost_upper_bound"],
        params={"promoted_object": {"page_id": account.pages[0]}, "daily_budget": 5000,
                "is_direct_send_campaign": True, "pacing_type": "no_pacing",
                "targeting_spec": {"messenger_positions": ["marketing_messages"], "publisher_platforms": ["messenger"]}}))
    (row,) = rows
    assert set(row.export_all_data()) == {"estimate_delivery_lower_bound", "estimate_cost_upper_bound"}


def test_every_insights_field_of_meta_schema_can_be_requested(api, world) -> None:
    from facebook_business.adobjects.adsinsights import AdsInsights

    account = world.accounts[0]
    rows = list(AdAccount(f"act_{account.account_id}", api=api).get_insights(
        fields=sorted(AdsInsights._field_types),
        params={"level": "ad", "time_range": {"since": "2026-06-15", "until": "2026-06-16"}, "time_increment": 1}))
    assert rows and all(r["marketing_messages_delivered"] == r["impressions"] for r in rows)
