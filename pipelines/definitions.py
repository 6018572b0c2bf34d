"""The Dagster code location: every asset and check under `assets/`, plus jobs, schedules,
sensors and resources. `workspace.yaml` loads this module."""

import dagster as dg

import assets
from assets.accounts import ACCOUNT_GROUP
from assets.catalog import describe
from pipelines.jobs import JOBS
from pipelines.resources import build_resources
from pipelines.schedules import SCHEDULES
from pipelines.sensors import SENSORS

# Lake mode's assets partitioned by (date × ad account) are their own code location
# (`pipelines.account_definitions`): the single-file daily_job and the UI here stay as they were.
ASSETS = [a for a in dg.load_assets_from_package_module(assets) if ACCOUNT_GROUP not in a.group_names_by_key.values()]

defs = dg.Definitions(
    assets=describe(ASSETS),
    asset_checks=dg.load_asset_checks_from_package_module(assets),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=build_resources(),
)
