"""The code location for several machines is the single-machine one with each run's steps kept in
its process: the same jobs, assets and checks, every job on the in-process executor."""

from __future__ import annotations

import dagster as dg

from pipelines import definitions, definitions_deploy


def test_the_deploy_location_has_every_job_asset_and_check_and_runs_steps_in_process() -> None:
    single, deploy = definitions.defs.get_repository_def(), definitions_deploy.defs.get_repository_def()
    assert sorted(j.name for j in deploy.get_all_jobs()) == sorted(j.name for j in single.get_all_jobs())
    assert set(deploy.asset_graph.get_all_asset_keys()) == set(single.asset_graph.get_all_asset_keys())
    assert set(deploy.asset_graph.asset_check_keys) == set(single.asset_graph.asset_check_keys)
    assert {j.name: j.executor_def.name for j in deploy.get_all_jobs()} == dict.fromkeys(
        (j.name for j in single.get_all_jobs()), dg.in_process_executor.name)
    # The single-machine location keeps Dagster's default (multiprocess, steps apart under the pool).
    assert {j.executor_def.name for j in single.get_all_jobs()} == {dg.multi_or_in_process_executor.name}
