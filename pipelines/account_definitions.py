"""Lake mode's second code location: `account_job`, the Graph pulls and account marts partitioned by
(date × ad account) (`assets/accounts.py`), with the same resources as `pipelines.definitions` and
no schedules or sensors, so that the daemon `mmlens backfill` starts runs nothing but the queue.
`dagster dev -m pipelines.account_definitions` shows it in the UI; docs/deploy.md."""

import dagster as dg

from assets import accounts
from pipelines.partitions import account_day_partitions
from pipelines.resources import build_resources

ACCOUNT_JOB = "account_job"

account_job = dg.define_asset_job(
    ACCOUNT_JOB,
    selection=dg.AssetSelection.groups(accounts.ACCOUNT_GROUP),
    partitions_def=account_day_partitions,
    # The steps of a run are consecutive and share one DuckDB file: the parallelism is across runs
    # (the run queue), so a run does not pay a process start per step.
    executor_def=dg.in_process_executor,
    description="Lake mode: pull, build and publish the ad accounts and dates of its partition range.",
)

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([accounts]),
    jobs=[account_job],
    resources=build_resources(),
)
