"""The exports assets through Dagster, on a temporary MMLENS_HOME and DuckDB file."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.exports_raw import send_attempts, webhook_events
from pipelines import warehouse
from pipelines.resources import build_resources
from tests.webhooks import samples as s


def _metadata(result: dg.ExecuteInProcessResult, key: list[str]) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_materialize_lands_events_and_reports_counts(home: Path):
    webhooks, sends = home / "exports" / "webhooks", home / "exports" / "sends"
    webhooks.mkdir(parents=True)
    sends.mkdir(parents=True)
    body = s.line(s.changes(("marketing_message_echoes", s.echo(1)), ("marketing_message_reads", s.echo(1))))
    (webhooks / "h1.ndjson").write_bytes(body + b"\n" + body + b"\nnot json\n")
    (sends / "d1.ndjson").write_bytes(s.line(s.send_ok(1)) + b"\n")

    result = dg.materialize([webhook_events, send_attempts], resources=build_resources(str(home)))
    assert result.success
    meta = _metadata(result, ["raw", "webhook_events"])
    assert (meta["lines_read"], meta["lines_landed"], meta["lines_quarantined"]) == (3, 2, 1)
    assert (meta["dagster/row_count"], meta["rows_new"]) == (2, 2)
    assert "not JSON: 1" in meta["quarantine_reasons"]
    assert any("echo" in str(record.data.values()) for record in meta["preview"].records)
    assert _metadata(result, ["raw", "send_attempts"])["dagster/row_count"] == 1
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 2 and all(c.passed for c in checks)

    again = dg.materialize([webhook_events], resources=build_resources(str(home)))
    meta = _metadata(again, ["raw", "webhook_events"])
    assert (meta["lines_read"], meta["rows_new"], meta["dagster/row_count"]) == (0, 0, 2)
    with warehouse.connect(home / "warehouse.duckdb") as con:
        assert con.execute("select count(*) from raw.ingest_quarantine").fetchall() == [(1,)]


def test_a_long_load_logs_its_progress(home: Path, monkeypatch):
    from pipelines.webhooks import ingest as ingest_module

    webhooks = home / "exports" / "webhooks"
    webhooks.mkdir(parents=True)
    for n in range(2):
        (webhooks / f"h{n}.ndjson").write_bytes(s.line(s.changes(("marketing_message_reads", s.echo(n)))) + b"\n")
    monkeypatch.setattr(ingest_module, "FLUSH_BYTES", 1)
    monkeypatch.setattr(ingest_module, "PROGRESS_SECONDS", 0.0)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([webhook_events], resources=build_resources(str(home)), instance=instance)
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert [m for m in messages if "read so far" in m] == [
        "webhooks: 1 lines (0 MB) read so far, 1 new rows", "webhooks: 2 lines (0 MB) read so far, 2 new rows"]


def test_the_count_check_reads_every_file_of_the_manifest(home: Path):
    """events read = landed + kept + quarantined, per file: a mixed POST passes; a manifest row that
    does not add up (however it got there) fails the blocking check and names the file."""
    webhooks = home / "exports" / "webhooks"
    webhooks.mkdir(parents=True)
    body = s.line(s.changes(("marketing_message_reads", s.echo(1)), ("messaging_postbacks", s.postback()),
                            ("feed", {"x": 1})))
    (webhooks / "h1.ndjson").write_bytes(body + b"\n")
    result = dg.materialize([webhook_events], resources=build_resources(str(home)))
    meta = _metadata(result, ["raw", "webhook_events"])
    assert (meta["events_read"], meta["events_landed"], meta["events_kept"], meta["events_quarantined"]) == (3, 1, 1, 1)
    assert (meta["messenger_events_rows"], meta["campaign_changes_rows"]) == (1, 0)
    (check,) = result.get_asset_check_evaluations()
    assert check.passed

    with warehouse.connect(home / "warehouse.duckdb") as con:
        con.execute("update raw.ingest_manifest set events_kept = 0")
    (webhooks / "h2.ndjson").write_bytes(body + b"\n")
    result = dg.materialize([webhook_events], resources=build_resources(str(home)), raise_on_error=False)
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["files_not_adding_up"].value == ["webhooks/h1.ndjson"]
