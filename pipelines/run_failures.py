"""Dagster's side of `pipelines.failures`: a failed run as a `RunFailure`, and the two run status
sensors that keep `reports/last_failure.json` true under `dagster dev` (`mmlens run` records and
clears it itself, since its in-process runs are not watched by a daemon)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from pipelines import failures
from pipelines.jobs import daily_job
from pipelines.resources import MmlensSettings
from pipelines.run_errors import error_from_events
from pipelines.settings import Settings


def _secrets(settings: Settings) -> list[str | None]:
    return [s.get_secret_value() if s else None for s in (settings.access_token, settings.app_secret)]


def _time(instance: dg.DagsterInstance, run_id: str, field: str) -> dt.datetime:
    record = instance.get_run_record_by_id(run_id)
    stamp = getattr(record, field, None) if record else None
    return dt.datetime.fromtimestamp(stamp, dt.UTC) if stamp else dt.datetime.now(dt.UTC)


def failure_of(instance: dg.DagsterInstance, run: dg.DagsterRun, step_failures: Sequence[dg.DagsterEvent],
               run_message: str, settings: Settings) -> failures.RunFailure:
    """The failed run as recorded: its failed steps and the user-facing first line of the error."""
    message = str(error_from_events(step_failures)) if step_failures else run_message
    return failures.RunFailure(
        run_id=run.run_id, job=run.job_name, failed_at=_time(instance, run.run_id, "end_time"),
        steps=tuple(e.step_key for e in step_failures if e.step_key),
        message=failures.one_line(message, _secrets(settings)),
    )


def clear_after_success(instance: dg.DagsterInstance, run_id: str, settings: Settings) -> bool:
    """A daily run that succeeded clears a failure recorded before it started."""
    return failures.clear(settings.reports_dir, _time(instance, run_id, "start_time"))


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records the last failed run (job, failed steps, first error line) in "
    "MMLENS_HOME/reports/last_failure.json; the next report's header shows it.",
)
def run_failure_recorder(context: dg.RunFailureSensorContext, settings: MmlensSettings) -> None:
    config = settings.load()
    failure = failure_of(context.instance, context.dagster_run, context.get_step_failure_events(),
                         context.failure_event.message or "the run failed", config)
    path = failures.record(config.reports_dir, failure)
    context.log.info(f"{failure.notice()} — recorded in {path}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a successful daily run, removes a failure recorded before that run started.",
)
def run_success_clears_failure(context: dg.RunStatusSensorContext, settings: MmlensSettings) -> None:
    if clear_after_success(context.instance, context.dagster_run.run_id, settings.load()):
        context.log.info("the daily run succeeded: the earlier failure record is cleared")
