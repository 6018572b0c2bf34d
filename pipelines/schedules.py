"""Schedules. The daily schedule re-pulls the trailing lookback as ONE run over a partition range,
because Meta restates conversions for up to 28 days after the fact."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.jobs import daily_job
from pipelines.settings import load_settings

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def lookback_range(run_day: dt.date, lookback_days: int) -> tuple[str, str]:
    """The partition keys re-pulled on `run_day`: the `lookback_days` days ending yesterday."""
    end = run_day - dt.timedelta(days=1)
    start = end - dt.timedelta(days=lookback_days - 1)
    return start.isoformat(), end.isoformat()


# 11:00 UTC: "yesterday" (the UTC date before) is a complete local day from UTC-11 to UTC+13.
@dg.schedule(
    job=daily_job,
    cron_schedule="0 11 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 11:00 UTC: re-pull MMLENS_LOOKBACK_DAYS days, ingest, rebuild, report.",
)
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    run_day = context.scheduled_execution_time.astimezone(dt.timezone.utc).date()
    start, end = lookback_range(run_day, load_settings().lookback_days)
    return dg.RunRequest(run_key=f"daily:{run_day.isoformat()}", tags={RANGE_START_TAG: start, RANGE_END_TAG: end})


SCHEDULES: list = [daily_schedule]
