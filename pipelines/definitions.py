"""The Dagster code location: every asset and check under `assets/`, plus jobs, schedules,
sensors and resources. `workspace.yaml` loads this module."""

import dagster as dg

import assets
from assets.catalog import describe
from pipelines.jobs import JOBS
from pipelines.resources import build_resources
from pipelines.schedules import SCHEDULES
from pipelines.sensors import SENSORS

defs = dg.Definitions(
    assets=describe(dg.load_assets_from_package_module(assets)),
    asset_checks=dg.load_asset_checks_from_package_module(assets),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=build_resources(),
)
