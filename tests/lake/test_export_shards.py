"""Export tables in the lake: ingestion shards (two receivers' folders and the send log) running at
once into one lake give the raw rows, quarantine, manifest and export marts of one DuckDB warehouse
ingesting the same files; an event redelivered to both receivers counts once; a shard with nothing
new commits nothing."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import UsageError
from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings
from pipelines.lake.export_marts import EXPORT_MARTS, build_export_marts
from pipelines.lake.export_tables import EXPORT_TABLES
from pipelines.lake.query import attach_lake
from pipelines.lake.shards import Shard, run_shard
from pipelines.simulator.truth import truth
from tests.lake import exports_world as ew
from tests.webhooks import samples

SHARDS = {"a": Shard(folder="webhooks/a"), "b": Shard(folder="webhooks/b"), "sends": Shard(folder="sends")}
COMPARED = [t.identifier for t in EXPORT_TABLES] + list(EXPORT_MARTS)


def rows(con: duckdb.DuckDBPyConnection, identifier: str) -> list[tuple]:
    return con.sql(f"select * exclude (payload) from {identifier} order by all").fetchall() \
        if identifier in ("raw.webhook_events", "raw.messenger_events", "raw.campaign_changes") \
        else con.sql(f"select * from {identifier} order by all").fetchall()


def payloads(con: duckdb.DuckDBPyConnection, identifier: str) -> list[tuple]:
    """Payloads as JSON values (the lake keeps JSON as text: equal as JSON, as the contract says)."""
    key = "change_key" if identifier == "raw.campaign_changes" else "event_key"
    return [(k, json.loads(p)) for k, p in con.sql(f"select {key}, payload::varchar from {identifier} order by 1").fetchall()]


def count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return con.sql(f"select count(*) from {relation}").fetchall()[0][0]


def lake_view(lake: Lake) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    attach_lake(con, lake)
    return con


def run_at_once(settings: LakeSettings, tmp: Path, exports: Path) -> dict[str, object]:
    start, results, failures = threading.Barrier(len(SHARDS)), {}, []

    def run(name: str) -> None:
        try:
            lake = Lake(settings)
            start.wait(timeout=60)
            results[name] = run_shard(tmp / f"shard-{name}.duckdb", exports, lake, SHARDS[name])
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in SHARDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    return results


def test_shards_at_once_fill_the_lake_like_one_warehouse(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    exports = ew.lay_out(tmp_path / "home")
    reference = duckdb.connect(str(ew.single_file_warehouse(exports, tmp_path / "single.duckdb")), read_only=True)
    results = run_at_once(sqlite_settings, tmp_path, exports)
    lake = Lake(sqlite_settings)
    build_export_marts(lake, tmp_path / "mart-build.duckdb")
    con = lake_view(lake)
    for identifier in COMPARED:
        expected = rows(reference, identifier)
        assert expected, identifier
        assert rows(con, identifier) == expected, identifier
    for identifier in ("raw.webhook_events", "raw.messenger_events"):
        assert payloads(con, identifier) == payloads(reference, identifier), identifier

    # Hand-checked against the simulator's truth: every event once, the redelivered POSTs too.
    expected_kinds = truth(ew.world(), ew.SINCE, ew.UNTIL)["webhook_events"]
    landed = count(con, "raw.webhook_events") + count(con, "raw.messenger_events")
    assert landed == sum(r["events"] for r in expected_kinds)
    # The lake itself holds receiver b's copies of the redelivered events; its readers see one.
    with gzip.open(sorted((exports / "webhooks" / "a").iterdir())[0]) as handle:
        redelivered_events = sum(len(change) for line in handle.read().splitlines()[:ew.REDELIVERED_POSTS]
                                 for entry in json.loads(line)["entry"]
                                 for change in (entry.get("changes", []), entry.get("messaging", [])))
    stored = count(con, "lake__raw__webhook_events") + count(con, "lake__raw__messenger_events")
    assert redelivered_events > 0 and stored == landed + redelivered_events
    # The campaign webhook, in both receivers' files: kept once, receiver a's copy (first in path order).
    assert con.sql("select count(*) from lake__raw__campaign_changes").fetchall() == [(2,)]
    assert con.sql("select field, entity_id, status, source_file, source_line from raw.campaign_changes").fetchall() == [
        ("message_campaign", "124141414124", "PAUSED", ew.CHANGES, 1)]
    # Nothing dropped: the unknown items (item 2) and the bad lines (whole, item 0) are in the lake's quarantine.
    assert con.sql("select file, line, item from raw.ingest_quarantine order by all").fetchall() == [
        (ew.CHANGES, 1, 2), (ew.REDELIVERED, 6, 2), (ew.REDELIVERED, 7, 0), (ew.REDELIVERED, 8, 0)]
    manifest = con.sql("select file, lines_read, lines_quarantined, events_quarantined from raw.ingest_manifest "
                       "where file = ?", params=[ew.REDELIVERED]).fetchall()
    assert manifest == [(ew.REDELIVERED, 8, 2, 3)]
    assert {name: r.webhooks.files + r.sends.files for name, r in results.items()} == {"a": 3, "b": 3, "sends": 4}

    # A shard run again with nothing new commits nothing.
    snapshots = {t.identifier: lake.snapshot_id(t.identifier) for t in EXPORT_TABLES}
    again = run_shard(tmp_path / "shard-a.duckdb", exports, lake, SHARDS["a"])
    assert [(p.rows, p.attempts) for p in again.published] == [(0, 0)] * len(EXPORT_TABLES)
    assert {t.identifier: lake.snapshot_id(t.identifier) for t in EXPORT_TABLES} == snapshots


def test_the_funnel_over_the_lake_is_the_simulators(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    exports = ew.lay_out(tmp_path / "home")
    run_at_once(sqlite_settings, tmp_path, exports)
    lake = Lake(sqlite_settings)
    build_export_marts(lake, tmp_path / "mart-build.duckdb")
    con = lake_view(lake)
    columns = ("attempted", "accepted", "rejected", "sent", "delivered", "read", "clicked", "failed")
    got = {(c, d.isoformat()): v for c, d, *v in con.sql(
        f"select message_campaign_id, date, {', '.join(columns)} from marts.delivery_funnel_daily "
        "where attempted > 0").fetchall()}
    expected = {(r["message_campaign_id"], r["date"]): [r[c] for c in columns]
                for r in truth(ew.world(), ew.SINCE, ew.UNTIL)["funnel"]}
    assert got == expected


def test_a_shard_owns_its_folder_and_one_part_of_n() -> None:
    names = [f"webhooks/a/webhooks-a-{n}.ndjson" for n in range(40)] + ["webhooks/ab/x.ndjson", "sends/s.ndjson"]
    parts = [Shard.parse(f"{k}/4", "webhooks/a") for k in range(1, 5)]
    owners = {name: [k for k, shard in enumerate(parts, 1) if shard.owns(name)] for name in names}
    assert all(len(owners[n]) == 1 for n in names[:40])
    assert {k for n in names[:40] for k in owners[n]} == {1, 2, 3, 4}
    assert owners["webhooks/ab/x.ndjson"] == [] and owners["sends/s.ndjson"] == []
    assert Shard(folder="webhooks/a/").owns("webhooks/a/x.ndjson") and not Shard(folder="webhooks/a").owns("webhooks/ab/x")
    assert Shard().owns("sends/s.ndjson")
    for bad, message in (("0/4", "'0/4' is not k/n"), ("5/4", "part 5 of 4 does not exist"), ("2", "'2' is not k/n")):
        with pytest.raises(UsageError, match=message):
            Shard.parse(bad)


def test_a_shard_killed_while_publishing_leaves_each_table_as_it_was(tmp_path: Path, sqlite_settings: LakeSettings) -> None:
    """Killed while the commit of raw.ingest_quarantine waits: raw.webhook_events, committed before,
    holds the new file's rows; the quarantine and the manifest after it (and the tables the file
    adds nothing to) are exactly as before. The next run of the shard, with nothing new to ingest, publishes the file again and the
    lake equals one warehouse of the same files."""
    exports = ew.lay_out(tmp_path / "home")
    late = exports / "webhooks" / "b" / "webhooks-b-late.ndjson"
    run_at_once(sqlite_settings, tmp_path, exports)
    lake = Lake(sqlite_settings)
    before = {t.identifier: (lake.snapshot_id(t.identifier), rows(lake_view(lake), t.identifier)) for t in EXPORT_TABLES}
    # A late file: a POST with one delivery nobody had, then a bad line.
    late.write_bytes(samples.line(samples.changes(("marketing_message_deliveries", samples.echo(1)))) + b"\n{broken\n")
    args = [str(tmp_path / "shard-b.duckdb"), str(exports), sqlite_settings.catalog_uri.get_secret_value(),
            sqlite_settings.warehouse, "webhooks/b", "raw.ingest_quarantine"]
    root = Path(__file__).resolve().parents[2]
    run = subprocess.Popen([sys.executable, "-m", "tests.lake.shard_process", *args], cwd=root, text=True,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stdout.readline() == "written\n", run.communicate(timeout=60)[1][-3000:]
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    con = lake_view(lake)
    assert con.sql("select event_type, source_line from lake__raw__webhook_events where source_file = ?",
                   params=["webhooks/b/webhooks-b-late.ndjson"]).fetchall() == [("delivery", 1)]
    for table in EXPORT_TABLES[1:]:
        assert (lake.snapshot_id(table.identifier), rows(con, table.identifier)) == before[table.identifier], table.identifier

    again = run_shard(tmp_path / "shard-b.duckdb", exports, lake, SHARDS["b"])
    assert (again.webhooks.files, again.webhooks.lines_read) == (0, 0)  # nothing new to ingest: only published
    reference = duckdb.connect(str(ew.single_file_warehouse(exports, tmp_path / "single.duckdb")), read_only=True)
    con = lake_view(lake)
    for table in EXPORT_TABLES:
        assert rows(con, table.identifier) == rows(reference, table.identifier), table.identifier
    assert con.sql("select line, item from raw.ingest_quarantine where file = ?",
                   params=["webhooks/b/webhooks-b-late.ndjson"]).fetchall() == [(2, 0)]
