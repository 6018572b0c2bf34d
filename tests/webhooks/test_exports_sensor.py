"""exports_sensor: a run when sealed export files appear or grow, with a (path, size) cursor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.resources import MmlensSettings
from pipelines.sensors import exports_sensor


def _tick(home: Path, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, resources={"settings": MmlensSettings(home=str(home))})
    return exports_sensor(context)


def test_requests_runs_only_for_new_sealed_files_or_bytes(home: Path):
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    assert isinstance(_tick(home, None), dg.SkipReason)

    (folder / "a.ndjson.open").write_bytes(b"{}\n")  # still being written: invisible
    assert isinstance(_tick(home, None), dg.SkipReason)

    (folder / "a.ndjson").write_bytes(b"{}\n")
    first = _tick(home, None)
    assert isinstance(first, dg.SensorResult)
    (request,) = first.run_requests
    assert request.run_key == first.cursor and first.cursor

    assert isinstance(_tick(home, first.cursor), dg.SkipReason)  # nothing new

    with open(folder / "a.ndjson", "ab") as handle:
        handle.write(b"{}\n")
    grown = _tick(home, first.cursor)
    assert isinstance(grown, dg.SensorResult) and grown.cursor != first.cursor

    (home / "exports" / "sends").mkdir()
    (home / "exports" / "sends" / "d.ndjson.gz").write_bytes(b"")
    added = _tick(home, grown.cursor)
    assert isinstance(added, dg.SensorResult) and added.cursor not in (first.cursor, grown.cursor)
    assert added.run_requests[0].job_name in (None, "ingest_exports_job")


def test_sensor_targets_the_exports_job_and_runs_by_default():
    from assets.exports_raw import send_attempts, webhook_events
    from pipelines.jobs import JOBS, ingest_exports_job
    from pipelines.sensors import SENSORS

    assert exports_sensor in SENSORS and ingest_exports_job in JOBS
    assert exports_sensor.job_name == "ingest_exports_job"
    assert exports_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert exports_sensor.minimum_interval_seconds == 60
    from pipelines.resources import build_resources

    defs = dg.Definitions(assets=[webhook_events, send_attempts], jobs=[ingest_exports_job], resources=build_resources())
    job = defs.resolve_job_def("ingest_exports_job")
    assert set(job.asset_layer.executable_asset_keys) == {webhook_events.key, send_attempts.key}
