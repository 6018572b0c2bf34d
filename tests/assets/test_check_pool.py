"""A check step and a writing step launched together, as `dagster dev` launches them: each in its
own process (the multiprocess executor), both free to start at once. Both take the `duckdb` pool
(limit 1, from the project's dagster.yaml), so one waits for the other's slot instead of for
DuckDB's file lock, and both succeed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets import mart_checks, marts
from assets.metadata import DUCKDB_POOL, mart_key
from pipelines import warehouse
from pipelines.launch import INSTANCE_CONFIG
from pipelines.resources import build_resources
from tests.assets.test_marts import seed_exports_day1, seed_graph
from tests.conftest import REPO_ROOT

GRAIN_CHECK = dg.AssetCheckKey(mart_key("campaign_daily"), mart_checks.GRAIN_CHECK)


def check_beside_writer_job() -> dg.JobDefinition:
    """error_codes_daily (a writer) and a check on another mart, with nothing ordering them."""
    job = dg.define_asset_job(
        "check_beside_writer",
        selection=dg.AssetSelection.assets(mart_key("error_codes_daily")) | dg.AssetSelection.checks(GRAIN_CHECK),
        executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2}),
    )
    defs = dg.Definitions(assets=[marts.campaign_marts, marts.error_codes_daily], asset_checks=mart_checks.grain_checks,
                          jobs=[job], resources=build_resources())
    return defs.resolve_job_def("check_beside_writer")


def _steps(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(event type, step) in the order the run's event log recorded them."""
    kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    return [(r.dagster_event.event_type_value, r.dagster_event.step_key)
            for r in instance.all_logs(run_id) if r.dagster_event and r.dagster_event.event_type in kinds]


def test_every_step_of_the_daily_job_takes_the_duckdb_pool() -> None:
    """Every step opens the warehouse (the 14 check steps too), so every step takes a slot."""
    from pipelines.definitions import defs

    nodes = defs.resolve_job_def("daily_job").nodes
    assert {n.name: n.definition.pool for n in nodes} == {n.name: DUCKDB_POOL for n in nodes}


def test_a_check_and_a_writer_launched_together_both_succeed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)  # the step processes import this module from the working directory
    with warehouse.connect(home / "warehouse.duckdb") as con:
        seed_graph(con)
        seed_exports_day1(con)
    project_config = yaml.safe_load(INSTANCE_CONFIG.read_text())
    with dg.instance_for_test(overrides={"concurrency": project_config["concurrency"]}) as instance:
        result = dg.execute_job(dg.reconstructable(check_beside_writer_job), instance=instance)
        steps = _steps(instance, result.run_id)
    assert result.success, steps
    # The writer, its own grain check after it, and the check on campaign_daily that nothing orders:
    # one step at a time, each finished before the next started.
    assert [kind for kind, _ in steps] == ["STEP_START", "STEP_SUCCESS"] * 3, steps
    verdicts = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert verdicts == {("campaign_daily", "grain_unique"): True, ("error_codes_daily", "grain_unique"): True}
