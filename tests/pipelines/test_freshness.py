"""The marts and the report carry a freshness policy, and Dagster's own evaluator (what the
freshness daemon of `dagster dev` runs every 30 seconds, with or without runs) reads a mart
rebuilt two days ago as stale. Dagster's evaluator interface is internal; dagster is pinned."""

from __future__ import annotations

import asyncio
import datetime as dt

import dagster as dg
import pytest
import yaml
from dagster._core.definitions import freshness_evaluator
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.loader import LoadingContextForTest

from assets.metadata import MART_KEYS, mart_key
from pipelines.freshness import DAILY_REFRESH
from pipelines.launch import INSTANCE_CONFIG

REPORT = dg.AssetKey(["reports", "daily_report"])


def _state(instance: dg.DagsterInstance, key: dg.AssetKey) -> FreshnessState:
    from pipelines.definitions import defs

    node = defs.resolve_asset_graph().get(key)
    evaluator = freshness_evaluator.FRESHNESS_EVALUATORS_BY_POLICY_TYPE[type(node.freshness_policy)]()
    return asyncio.run(evaluator.evaluate_freshness(LoadingContextForTest(instance), node))


def test_the_marts_and_the_report_have_the_daily_policy_and_the_instance_evaluates_it() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    with_policy = {key for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy is not None}
    assert with_policy == {*MART_KEYS, REPORT}
    assert all(graph.get(key).freshness_policy == DAILY_REFRESH for key in with_policy)
    assert (DAILY_REFRESH.deadline_cron, DAILY_REFRESH.lower_bound_delta) == ("0 14 * * *", dt.timedelta(hours=24))
    assert yaml.safe_load(INSTANCE_CONFIG.read_text())["freshness"] == {"enabled": True}


def test_a_mart_rebuilt_two_days_ago_is_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    campaign_daily = mart_key("campaign_daily")
    with dg.instance_for_test() as instance:
        assert _state(instance, campaign_daily) is FreshnessState.UNKNOWN  # never materialized
        instance.report_runless_asset_event(dg.AssetMaterialization(campaign_daily, partition="2026-11-19"))
        assert _state(instance, campaign_daily) is FreshnessState.PASS
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
        monkeypatch.setattr(freshness_evaluator, "get_current_datetime", lambda tz=None: later)
        assert _state(instance, campaign_daily) is FreshnessState.FAIL
        assert _state(instance, mart_key("error_codes_daily")) is FreshnessState.UNKNOWN
