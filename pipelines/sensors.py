"""Sensors."""

import dagster as dg

from pipelines.jobs import ingest_exports_job
from pipelines.resources import MmlensSettings
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


SENSORS: list = [exports_sensor]
