"""Sensors."""

import datetime as dt

import dagster as dg

from pipelines import report_mail
from pipelines.jobs import daily_job, ingest_exports_job
from pipelines.resources import MmlensSettings
from pipelines.run_errors import CLI_RUN_TAG, error_from_events, first_failed_step
from pipelines.run_failures import run_failure_recorder, run_success_clears_failure
from pipelines.schedules import RANGE_END_TAG, RANGE_START_TAG
from pipelines.webhooks.exports import exports_fingerprint


@dg.sensor(
    job=ingest_exports_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts ingest_exports_job when sealed webhook or send-log exports appear or grow.",
)
def exports_sensor(context: dg.SensorEvaluationContext, settings: MmlensSettings) -> dg.SensorResult | dg.SkipReason:
    # The cursor is a fingerprint of (path, size) of every sealed file: files still being written
    # (`.open`) are invisible until sealed, and the ingester itself skips what it already read.
    fingerprint, count = exports_fingerprint(settings.load().exports_dir)
    if count == 0:
        return dg.SkipReason("no sealed export files yet")
    if fingerprint == context.cursor:
        return dg.SkipReason("no new sealed files or bytes since the last run")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)


def _partitions(run: dg.DagsterRun) -> tuple[str | None, str | None]:
    """The first and last partition keys of a daily run (a range run, or one partition)."""
    single = run.tags.get("dagster/partition")
    return run.tags.get(RANGE_START_TAG, single), run.tags.get(RANGE_END_TAG, single)


# `mmlens run` mails from its own process; these sensors serve runs of the schedule and the UI.
@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Mails the daily report after each successful daily_job run "
                "(when MMLENS_SMTP_HOST and MMLENS_REPORT_TO are set).",
)
def report_mail_sensor(context: dg.RunStatusSensorContext, settings: MmlensSettings) -> dg.SkipReason | None:
    run = context.dagster_run
    _, end = _partitions(run)
    if CLI_RUN_TAG in run.tags or end is None:
        return dg.SkipReason("mailed by mmlens run" if end else "not a partitioned run")
    return _outcome(context, report_mail.deliver_report(settings.load(), dt.date.fromisoformat(end)))


@dg.run_failure_sensor(
    monitored_jobs=[daily_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Mails a failure notice after each failed daily_job run (when mail delivery is configured).",
)
def report_failure_mail_sensor(context: dg.RunFailureSensorContext, settings: MmlensSettings) -> dg.SkipReason | None:
    run = context.dagster_run
    if CLI_RUN_TAG in run.tags:
        return dg.SkipReason("notified by mmlens run")
    start, end = _partitions(run)
    steps = context.get_step_failure_events()
    error = str(error_from_events(steps)) if steps else (context.failure_event.message or "the run failed")
    delivery = report_mail.deliver_failure_notice(
        settings.load(), run.run_id, f"{start}..{end}", first_failed_step(steps), error
    )
    return _outcome(context, delivery)


def _outcome(context: dg.RunStatusSensorContext, delivery: report_mail.Delivery | None) -> dg.SkipReason | None:
    """Log the mail's one line; when it was not sent, the line is also the tick's skip reason (shown in the UI)."""
    if delivery is None:
        return dg.SkipReason("mail delivery is not configured")
    if not delivery.sent:
        context.log.warning(delivery.line)
        return dg.SkipReason(delivery.line)
    context.log.info(delivery.line)
    return None


SENSORS: list = [exports_sensor, report_mail_sensor, report_failure_mail_sensor, run_failure_recorder,
                 run_success_clears_failure]
