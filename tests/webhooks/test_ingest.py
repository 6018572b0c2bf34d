"""Export ingestion: accounting, quarantine, dedupe, incremental reads and replay."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import orjson
import pytest

from pipelines import warehouse
from pipelines.webhooks.ingest import MAX_LINE_BYTES, RAW_TEXT_LIMIT, SENDS, WEBHOOKS, ExportChangedError, ingest
from pipelines.webhooks.ingest_memory import size_bytes
from tests.webhooks import samples as s


@pytest.fixture
def exports(home: Path) -> Path:
    (home / "exports" / "webhooks").mkdir(parents=True)
    (home / "exports" / "sends").mkdir(parents=True)
    return home / "exports"


def _run(db: Path, exports: Path, source=WEBHOOKS, **kwargs):
    with warehouse.connect(db) as con:
        return ingest(con, exports, source, **kwargs)


def _query(db: Path, sql: str) -> list[tuple]:
    with warehouse.connect(db) as con:
        return con.execute(sql).fetchall()


GOOD = [s.line(s.changes(*[("marketing_message_deliveries", s.echo(n + k)) for k in range(3)])) for n in range(0, 30, 3)]
BAD_CORPUS = {
    "truncated": GOOD[0][: len(GOOD[0]) // 2],
    "not JSON": b"<html>502 Bad Gateway</html>",
    "wrong shape": b'[{"object":"page"}]',
    "unknown event type": s.line(s.changes(("feed", {"timestamp": 1}))),
    "huge line": b'{"object":"page","pad":"' + b"x" * (MAX_LINE_BYTES + 10) + b'"}',
    "empty": b"",
    "invalid utf-8": b'{"field":"marketing_message_reads","value":{"t":"\xff"}}',
}


def test_bad_corpus_is_fully_accounted_for_in_quarantine(home, exports):
    """Every line read is read whole or quarantined with its reason; the huge line keeps a truncated
    text; the line whose one item is of an unknown kind is read whole and its item quarantined."""
    lines = [GOOD[0], *BAD_CORPUS.values(), GOOD[1]]
    (exports / "webhooks" / "mixed.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    stats = _run(home / "w.duckdb", exports)
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined) == (9, 3, 6)
    # 3 + 3 delivery events landed; six lines and one item quarantined.
    assert (stats.events_read, stats.events_landed, stats.events_kept, stats.events_quarantined) == (13, 6, 0, 7)
    assert stats.balanced
    rows = _query(home / "w.duckdb", "select line, reason, raw_text from raw.ingest_quarantine order by line")
    items = _query(home / "w.duckdb", "select line, item from raw.ingest_quarantine order by line")
    assert items == [(2, 0), (3, 0), (4, 0), (5, 1), (6, 0), (7, 0), (8, 0)]
    assert [r[0] for r in rows] == list(range(2, 2 + len(BAD_CORPUS)))
    reasons = dict(zip(BAD_CORPUS, rows, strict=True))
    assert reasons["truncated"][1].startswith("not JSON")
    assert reasons["truncated"][2] == BAD_CORPUS["truncated"].decode()
    assert reasons["wrong shape"][1].startswith("wrong shape")
    assert reasons["unknown event type"][1] == "unknown event type 'feed' (entry 0 changes 0)"
    assert reasons["unknown event type"][2] == '{"field":"feed","value":{"timestamp":1}}'
    assert reasons["huge line"][1].startswith("line too long") and "raw_text truncated" in reasons["huge line"][1]
    assert len(reasons["huge line"][2]) == RAW_TEXT_LIMIT
    assert reasons["empty"][1] == "empty line"
    assert reasons["invalid utf-8"][1].startswith("not JSON")
    assert _query(home / "w.duckdb", "select count(*) from raw.webhook_events") == [(6,)]
    assert _query(home / "w.duckdb", "select lines_read, lines_landed, lines_quarantined, events_read, events_landed, "
                  "events_kept, events_quarantined from raw.ingest_manifest") == [(9, 3, 6, 13, 6, 0, 7)]


def test_redeliveries_land_once_and_reruns_ingest_nothing_twice(home, exports):
    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(GOOD[:4]) + b"\n")
    with gzip.open(exports / "webhooks" / "b.ndjson.gz", "wb") as handle:  # GOOD[2:6]: two redelivered
        handle.write(b"\n".join(GOOD[2:6]) + b"\n")
    first = _run(home / "w.duckdb", exports)
    assert (first.files, first.lines_read, first.rows_new) == (2, 8, 18)
    again = _run(home / "w.duckdb", exports)
    assert (again.files, again.lines_read, again.rows_new) == (0, 0, 0)
    rows = _query(home / "w.duckdb", "select source_file, count(*) from raw.webhook_events group by all order by 1")
    assert rows == [("webhooks/a.ndjson", 12), ("webhooks/b.ndjson.gz", 6)]  # first occurrence wins


def test_appended_bytes_are_read_from_the_last_complete_line(home, exports):
    path = exports / "webhooks" / "grow.ndjson"
    path.write_bytes(GOOD[0] + b"\n" + GOOD[1][:40])  # a writer is in the middle of line 2
    assert _run(home / "w.duckdb", exports).lines_read == 1
    with open(path, "ab") as handle:
        handle.write(GOOD[1][40:] + b"\n" + GOOD[2])  # line 3 complete JSON without newline yet
    second = _run(home / "w.duckdb", exports)
    assert (second.lines_read, second.lines_landed) == (2, 2)
    assert _run(home / "w.duckdb", exports).lines_read == 0
    with open(path, "ab") as handle:
        handle.write(b"\n" + GOOD[3] + b"\n")
    third = _run(home / "w.duckdb", exports)
    # The newline that completes line 3 does not make an empty line 4.
    assert (third.lines_read, third.lines_landed, third.lines_quarantined) == (1, 1, 0)
    assert _query(home / "w.duckdb", "select source_line, count(*) from raw.webhook_events group by 1 order by 1") == [
        (1, 3), (2, 3), (3, 3), (4, 3)]
    assert _query(home / "w.duckdb", "select bytes_read, file_size from raw.ingest_manifest") == [
        (path.stat().st_size, path.stat().st_size)]


def test_small_chunks_give_the_same_result(home, exports):
    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(GOOD + [b"oops"]) + b"\n")
    _run(home / "big.duckdb", exports)
    _run(home / "small.duckdb", exports, chunk_bytes=100)
    sql = "select * from raw.webhook_events order by event_key"
    assert _query(home / "big.duckdb", sql) == _query(home / "small.duckdb", sql)


def test_rebuilding_from_scratch_replays_into_identical_tables(home, exports):
    """Exports are the source of truth: an incremental history and a fresh replay agree."""
    for n, chunk in enumerate((GOOD[:3], GOOD[2:7] + [b"junk"], GOOD[6:])):
        (exports / "webhooks" / f"h{n}.ndjson").write_bytes(b"\n".join(chunk) + b"\n")
        _run(home / "incremental.duckdb", exports)
    (exports / "sends" / "s.ndjson").write_bytes(b"\n".join(s.line(s.send_ok(n)) for n in range(5)) + b"\n")
    _run(home / "incremental.duckdb", exports, SENDS)
    before = {p: p.stat().st_mtime_ns for p in exports.rglob("*") if p.is_file()}
    _run(home / "fresh.duckdb", exports)
    _run(home / "fresh.duckdb", exports, SENDS)
    for table in ("webhook_events", "send_attempts", "ingest_quarantine", "ingest_manifest"):
        sql = f"select * from raw.{table} order by all"
        assert _query(home / "incremental.duckdb", sql) == _query(home / "fresh.duckdb", sql), table
    assert {p: p.stat().st_mtime_ns for p in exports.rglob("*") if p.is_file()} == before  # never modified


def test_send_logs_land_with_parsed_errors(home, exports):
    lines = [s.line(s.send_ok(1)), s.line(s.send_error(error_data='{"remaining_seconds": 60}')),
             s.line(s.send_ok(1)), b"{broken"]
    with gzip.open(exports / "sends" / "day.ndjson.gz", "wb") as handle:
        handle.write(b"\n".join(lines))  # no final newline: a sealed .gz's last line is complete
    stats = _run(home / "w.duckdb", exports, SENDS)
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined, stats.rows_new) == (4, 3, 1, 2)
    rows = _query(home / "w.duckdb", "select success, tracking_id, error_code, remaining_seconds, "
                  "ts = timestamptz '2025-11-27 00:00:00+00' from raw.send_attempts order by success")
    assert rows == [(False, None, 2300068, 60, True), (True, "trk-1", None, None, True)]


def test_send_log_codes_sent_as_names_land_and_are_not_quarantined(home, exports):
    lines = [b'{"ts":1764201600,"message_id":"1","response":{"error":{"code":"WEEKLY_MM_LOAD_CAP_REACHED"}}}',
             b'{"ts":1764201601,"message_id":"1","response":{"error":{"code":100,"error_subcode":"abc"}}}',
             b'{"ts":1764201602,"message_id":"1","response":{"error":{"code":2300043}}}']
    (exports / "sends" / "caps.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    stats = _run(home / "w.duckdb", exports, SENDS)
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined) == (3, 3, 0)
    assert _query(home / "w.duckdb", "select error_code, error_subcode, error_name from raw.send_attempts order by ts") == [
        (None, None, "WEEKLY_MM_LOAD_CAP_REACHED"), (100, None, "abc"), (2300043, None, None)]


def _damaged(kind: str, whole: bytes) -> bytes:
    return {"truncated": whole[: len(whole) // 2], "not gzip": b"<html>502</html>\n", "junk after": whole + b"junk"}[kind]


@pytest.mark.parametrize("source", [WEBHOOKS, SENDS])
@pytest.mark.parametrize("kind", ["truncated", "not gzip", "junk after"])
def test_a_damaged_gz_lands_what_precedes_the_damage_and_quarantines_the_rest(home, exports, kind, source):
    """The run goes on to the other files; the damage is one quarantine row; the file is done."""
    lines = ([s.line(s.changes(("marketing_message_reads", s.echo(n)))) for n in range(5000)] if source is WEBHOOKS
             else [s.line(s.send_ok(n)) for n in range(5000)])
    blob = _damaged(kind, gzip.compress(b"\n".join(lines) + b"\n"))
    (exports / source.name / "a.ndjson.gz").write_bytes(blob)
    (exports / source.name / "b.ndjson").write_bytes(lines[0].replace(b"000", b"999") + b"\n")
    readable = zlib.decompressobj(wbits=31).decompress(blob) if kind != "not gzip" else b""
    whole_lines = readable[: len(b"\n".join(lines)) + 1].count(b"\n")  # what any gzip reader can recover

    stats = _run(home / "w.duckdb", exports, source, chunk_bytes=64 * 1024)
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined) == (whole_lines + 2, whole_lines + 1, 1)
    ((file, line, reason, raw_text),) = _query(home / "w.duckdb", "select file, line, reason, raw_text from raw.ingest_quarantine")
    assert (file, line) == (f"{source.name}/a.ndjson.gz", whole_lines + 1)
    assert reason.startswith("damaged .gz file (") and reason.endswith(f"nothing after line {whole_lines} can be read")
    cut_short = readable[len(b"\n".join(lines[:whole_lines])) + 1 :] if whole_lines else b""
    assert raw_text == cut_short.decode()  # the start of the line the damage cut (empty at a line's end)
    assert _run(home / "w.duckdb", exports, source).files == 0  # the manifest holds the damaged file as read
    if kind == "truncated":  # it was still being copied: now it changed, which a sealed .gz must not do
        (exports / source.name / "a.ndjson.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
        with pytest.raises(ExportChangedError, match=f"{source.name}/a.ndjson.gz: .* a sealed .gz must not change"):
            _run(home / "w.duckdb", exports, source)


def test_a_run_stopped_after_quarantining_the_damage_does_not_quarantine_it_again(home, exports, monkeypatch):
    from pipelines.webhooks import ingest as ingestion

    lines = [s.line(s.send_ok(n)) for n in range(2000)]
    blob = gzip.compress(b"\n".join(lines) + b"\n")
    (exports / "sends" / "a.ndjson.gz").write_bytes(blob[: len(blob) // 2])
    real_land = ingestion._land

    def stop_after_the_damage(con, source, pending):
        inserted = real_land(con, source, pending)
        if any(parsed.reasons.get("damaged .gz file") for parsed, _ in pending):
            raise KeyboardInterrupt  # before the run's last manifest writes
        return inserted

    monkeypatch.setattr(ingestion, "_land", stop_after_the_damage)
    with pytest.raises(KeyboardInterrupt):
        _run(home / "w.duckdb", exports, SENDS, chunk_bytes=64 * 1024)
    monkeypatch.setattr(ingestion, "_land", real_land)
    assert _run(home / "w.duckdb", exports, SENDS).files == 0
    assert _query(home / "w.duckdb", "select count(*) from raw.ingest_quarantine") == [(1,)]


def test_a_gz_read_in_part_is_resumed_where_it_stopped(home, exports, monkeypatch):
    """A run that stops after some landings resumes the .gz at the next line: nothing twice, nothing lost."""
    from pipelines.webhooks import ingest as ingestion

    lines = [s.line(s.send_ok(n)) for n in range(3000)]
    (exports / "sends" / "a.ndjson.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    real_land, landings = ingestion._land, []

    def land_twice_then_stop(*args):
        if len(landings) == 2:
            raise KeyboardInterrupt
        landings.append(1)
        return real_land(*args)

    monkeypatch.setattr(ingestion, "_land", land_twice_then_stop)
    with pytest.raises(KeyboardInterrupt):
        _run(home / "w.duckdb", exports, SENDS, chunk_bytes=64 * 1024)
    monkeypatch.setattr(ingestion, "_land", real_land)
    _run(home / "w.duckdb", exports, SENDS, chunk_bytes=64 * 1024)
    assert _query(home / "w.duckdb", "select count(*), count(distinct source_line), max(source_line) "
                                     "from raw.send_attempts") == [(3000, 3000, 3000)]
    assert _query(home / "w.duckdb", "select lines_read, lines_landed, file_size is not null "
                                     "from raw.ingest_manifest") == [(3000, 3000, True)]


def test_files_in_progress_are_not_read(home, exports):
    for name in ("x.ndjson.open", ".hidden.ndjson", "y.ndjson.tmp", "notes.txt"):
        (exports / "webhooks" / name).write_bytes(GOOD[0] + b"\n")
    assert _run(home / "w.duckdb", exports).files == 0


def test_ids_that_arrive_as_numbers_stay_exact(home, exports):
    line = s.line(s.changes(("marketing_message_echoes", s.echo(recipient_id=-1))))
    line = line.replace(b'"recipient_id":-1', b'"recipient_id":98765432109876543210')
    (exports / "webhooks" / "a.ndjson").write_bytes(line + b"\n")
    _run(home / "w.duckdb", exports)
    assert _query(home / "w.duckdb", "select recipient_id, page_id, app_id from raw.webhook_events") == [
        ("98765432109876543210", str(s.PAGE), "12313123123123")]
    payload = _query(home / "w.duckdb", "select payload::varchar from raw.webhook_events")[0][0]
    assert orjson.loads(payload.replace("98765432109876543210", "0"))["recipient_id"] == 0
    assert "98765432109876543210" in payload


def test_landing_in_several_flushes_gives_the_same_tables(home, exports, monkeypatch):
    """Webhook chunks are staged and land together; where the flushes fall must not matter, also
    for a redelivery staged in one flush of an event landed by an earlier one."""
    from pipelines.webhooks import ingest as ingest_module

    for n in range(3):
        (exports / "webhooks" / f"h{n}.ndjson").write_bytes(b"\n".join(GOOD[n:] + [b"junk", GOOD[0]]) + b"\n")
    # Read in path order: the folder's file before the file whose name only extends the folder's.
    (exports / "webhooks" / "h3").mkdir()
    other = s.line(s.changes(("marketing_message_deliveries", s.echo(99))))
    (exports / "webhooks" / "h3" / "part.ndjson").write_bytes(other + b"\n")
    (exports / "webhooks" / "h3.ndjson").write_bytes(other + b"\n")
    once = _run(home / "once.duckdb", exports, chunk_bytes=300)
    monkeypatch.setattr(ingest_module, "FLUSH_BYTES", 1)
    flushed = _run(home / "flushed.duckdb", exports, chunk_bytes=300)
    assert flushed == once and flushed.balanced and flushed.lines_quarantined == 3
    for table in ("webhook_events", "ingest_quarantine", "ingest_manifest"):
        sql = f"select * from raw.{table} order by all"
        assert _query(home / "once.duckdb", sql) == _query(home / "flushed.duckdb", sql), table
    assert _query(home / "once.duckdb", "select distinct source_file from raw.webhook_events where source_file "
                  "like '%h3%'") == [("webhooks/h3/part.ndjson",)]
    assert _query(home / "flushed.duckdb", "select count(*), count(distinct event_key) from raw.webhook_events") == [
        (31, 31)]


def test_a_long_load_reports_its_counts_after_each_landing(home, exports, monkeypatch):
    """Progress for long work: the counts so far after a landing (here every landing), ending
    with the run's totals; nothing is reported when the load is quicker than the interval."""
    from pipelines.webhooks import ingest as ingest_module

    for n in range(3):
        (exports / "webhooks" / f"p{n}.ndjson").write_bytes(b"\n".join(GOOD[3 * n : 3 * n + 3]) + b"\n")
    monkeypatch.setattr(ingest_module, "FLUSH_BYTES", 1)
    monkeypatch.setattr(ingest_module, "PROGRESS_SECONDS", 0.0)
    reports = []
    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, exports, WEBHOOKS, on_progress=lambda so_far: reports.append(
            (so_far.lines_read, so_far.rows_new)))
    assert reports == [(3, 9), (6, 18), (9, 27)] and (stats.lines_read, stats.rows_new) == reports[-1]

    (exports / "webhooks" / "p3.ndjson").write_bytes(GOOD[9] + b"\n")
    monkeypatch.setattr(ingest_module, "PROGRESS_SECONDS", 3600.0)
    with warehouse.connect(home / "w.duckdb") as con:
        ingest(con, exports, WEBHOOKS, on_progress=reports.append)
    assert len(reports) == 3


def _edge_lines() -> list[bytes]:
    """Plain items (the SQL lane) and their tricky values, next to shapes only the Python parser takes."""
    values = [
        s.echo(1), s.echo(2, recipient_id=0), s.echo(3, recipient_id="0"), s.echo(4, recipient_id=""),
        s.echo(5, page_id=""), {k: v for k, v in s.echo(6).items() if k != "page_id"},
        s.echo(7, mid="mïd \"quoted\" \\ tab\t", message_id=18446744073709551615),
        s.echo(8, timestamp=s.TS_MS), s.echo(9, timestamp=str(s.TS_S)), s.echo(10, app_id=-12),
        {**s.delivery_failed(11), "error_message": 2300068}, s.delivery_failed(12), s.upload_status(),
    ]
    lines = [s.line(s.changes(("marketing_message_deliveries", v), page=int(s.PAGE) + n)) for n, v in enumerate(values)]
    lines.append(s.line({"object": "page", "entry": [{"id": 77, "time": s.TS_MS, "changes": [
        {"field": "marketing_message_reads", "value": {k: v for k, v in s.echo(13).items() if k != "page_id"}}]}]}))
    lines.append(s.line(s.changes(("marketing_message_echoes", s.echo(1)), ("messaging_postbacks", s.postback()))))
    lines.append(s.line(s.messaging(s.optin())))
    lines.append(s.line(s.delivery_failed(14)))
    lines.append(s.line(s.changes(("marketing_message_clicks", s.echo(2, recipient_id=0)))))  # redelivered event
    big = s.line(s.changes(("marketing_message_echoes", s.echo(15, recipient_id=-1))))
    lines.append(big.replace(b'"recipient_id":-1', b'"recipient_id":123456789012345678901234'))
    return lines


def test_sql_lane_lands_exactly_what_the_python_parser_lands(home, exports, monkeypatch):
    """Plain lines are parsed by DuckDB, the others by Python; that must change nothing."""
    from datetime import date

    from pipelines.simulator.export import export
    from pipelines.simulator.world import World, WorldSize

    world = World(seed=3, size=WorldSize(accounts=1, campaigns_per_account=2, days=6, sends_per_campaign_day=20),
                  today=date(2026, 2, 1))
    export(world, home, date(2026, 1, 27), date(2026, 1, 31))
    (exports / "webhooks" / "edge.ndjson").write_bytes(b"\n".join(_edge_lines()) + b"\n")
    parsed_in_python = record_python_lines(monkeypatch)
    both = _run(home / "both.duckdb", exports, chunk_bytes=4096)
    in_python = len(parsed_in_python)
    python = _run(home / "python.duckdb", exports, chunk_bytes=4096, sql=False)
    assert 4 <= in_python < both.lines_read / 2  # both lanes used, most lines in DuckDB
    assert both == python and both.lines_quarantined == 0
    assert webhook_rows(home / "both.duckdb") == webhook_rows(home / "python.duckdb")
    pages = dict(_query(home / "both.duckdb", "select tracking_id, page_id from raw.webhook_events "
                        "where tracking_id like '%00000000000_' or tracking_id like '%0000000001_'"))
    assert pages["98ecd977-245a-4ec0-a8e0-000000000005"] is None  # "" is no id
    assert pages["98ecd977-245a-4ec0-a8e0-000000000006"] == str(s.PAGE + 5)  # absent: the entry's Page
    assert pages["98ecd977-245a-4ec0-a8e0-000000000013"] == "77"


class _RecordingCheckpoints:
    """A connection that notes DuckDB's memory limit whenever a checkpoint is executed."""

    def __init__(self, con):
        self.con, self.checkpoints = con, []

    def execute(self, statement, *args):
        if statement.strip().lower() == "checkpoint":
            self.checkpoints.append(self.con.execute("select current_setting('memory_limit')").fetchone()[0])
        return self.con.execute(statement, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


@pytest.mark.parametrize("limit", ["3GB", "500MB"])
def test_ingestion_caps_duckdbs_memory_only_while_it_runs(home, exports, limit):
    """Loading and the checkpoint that writes the new rows into the file run under the cap (or the
    lower limit already set), not later when the connection closes with its own limit."""
    from pipelines.webhooks import ingest as ingest_module

    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(GOOD[:2]) + b"\n")
    seen = []
    real = ingest_module._ingest_files

    def spying(con, *args):
        seen.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
        return real(con, *args)

    with warehouse.connect(home / "w.duckdb") as con:
        con.execute("set memory_limit = ?", [limit])
        before = con.execute("select current_setting('memory_limit')").fetchone()[0]
        recording = _RecordingCheckpoints(con)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ingest_module, "_ingest_files", spying)
            ingest(recording, exports, WEBHOOKS)
        after = con.execute("select current_setting('memory_limit')").fetchone()[0]
    capped = "1.0 GiB" if limit == "3GB" else before
    assert seen == [capped]
    assert recording.checkpoints == [capped]
    assert size_bytes(after) == pytest.approx(size_bytes(before), rel=0.05)


def record_python_lines(monkeypatch) -> list[tuple[int, bytes]]:
    """The (line number, line) pairs the SQL lane hands to the Python parser, from now on."""
    from pipelines.webhooks import sql_lane

    recorded: list[tuple[int, bytes]] = []
    real_parse_lines = sql_lane.parse_lines

    def recording(numbered, rel, source):
        numbered = list(numbered)
        recorded.extend(numbered)
        return real_parse_lines(numbered, rel, source)

    monkeypatch.setattr(sql_lane, "parse_lines", recording)
    return recorded


def webhook_rows(db: Path) -> list[tuple]:
    """raw.webhook_events, payloads as parsed JSON (the lanes write the same object, maybe not the same bytes)."""
    rows = _query(db, "select * exclude (payload), payload::varchar from raw.webhook_events")
    return sorted((*row[:-1], json.loads(row[-1])) for row in rows)


def test_an_export_that_shrank_is_a_clear_error(home, exports):
    path = exports / "webhooks" / "a.ndjson"
    path.write_bytes(b"\n".join(GOOD[:3]) + b"\n")
    _run(home / "w.duckdb", exports)
    path.write_bytes(GOOD[0] + b"\n")
    with pytest.raises(ExportChangedError, match="webhooks/a.ndjson: .* exports must only grow"):
        _run(home / "w.duckdb", exports)


def test_landed_and_quarantined_lines_are_counted_apart() -> None:
    """Lines read come from the chunk's bytes, landed lines from successful parses and quarantined
    lines from the quarantine rows: three counts, so `balanced` can catch a line that went nowhere."""
    from pipelines.webhooks.batches import parse_chunk
    from pipelines.webhooks.exports import LineChunk
    from pipelines.webhooks.ingest import IngestStats

    good = s.line(s.changes(("marketing_message_deliveries", s.echo(1))))
    chunk = b"\n".join([good, b"{not json", good.replace(b'"1', b'"2')])
    parsed = parse_chunk(LineChunk.of(chunk), 0, "webhooks/x.ndjson", WEBHOOKS)
    assert (parsed.lines, parsed.landed, len(parsed.bad)) == (3, 2, 1)
    assert IngestStats(lines_read=3, lines_landed=2, lines_quarantined=1).balanced
    assert not IngestStats(lines_read=3, lines_landed=1, lines_quarantined=1).balanced


def _older_release(home: Path, monkeypatch, prefix: str):
    """Warehouses opened from now on get the migrations of a release before the one named `prefix…`;
    returns what adds that migration back (the next connection applies it)."""
    migrations, old = warehouse.MIGRATIONS_DIR, home / "old_migrations"
    old.mkdir()
    for path in sorted(migrations.glob("*.sql")):
        if not path.name.startswith(prefix):
            (old / path.name).write_text(path.read_text())
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", old)
    (missing,) = migrations.glob(f"{prefix}*.sql")
    return lambda: (old / missing.name).write_text(missing.read_text())


def test_events_landed_with_the_old_keys_are_rekeyed(home, exports, monkeypatch):
    """Migration 012: events keyed by their old content hash get the identity key the lanes compute now
    (their payloads were stored with sorted keys), so a later redelivery still lands once."""
    lines = [*GOOD[:3], s.line(s.changes(("marketing_messages_subscriber_upload_status", s.upload_status()))),
             s.line(s.delivery_failed(4))]
    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    _run(home / "new.duckdb", exports)
    expected = _query(home / "new.duckdb", "select event_key, source_line, event_type from raw.webhook_events order by all")
    assert {t for *_, t in expected} == {"subscriber_upload_status", "delivery", "delivery_failed"}

    add_012 = _older_release(home, monkeypatch, "012_")
    rows = _query(home / "new.duckdb", "select * exclude (payload), payload::varchar from raw.webhook_events")
    with warehouse.connect(home / "old.duckdb") as con:
        for row in rows:  # as an older release stored them: another key, a sorted-key payload
            payload = json.dumps(json.loads(row[-1]), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            con.execute("insert into raw.webhook_events values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ["old-" + row[0], *row[1:12], payload, *row[12:14]])
    add_012()
    assert _query(home / "old.duckdb", "select event_key, source_line, event_type from raw.webhook_events "
                                       "order by all") == expected
    (exports / "webhooks" / "b.ndjson").write_bytes(b"\n".join(lines) + b"\n")  # everything redelivered
    assert _run(home / "old.duckdb", exports).rows_new == 0


def test_per_event_columns_are_stored_with_zstd_and_older_rows_survive_the_move(home, exports, monkeypatch):
    """Migration 023 moves raw.webhook_events to zstd for its per-event text columns; the rows an
    older release landed are kept, what lands afterwards is written with zstd, and the incremental
    marts forget the rowids they had read (the copy numbers rows afresh), so they rebuild in full."""
    add_023 = _older_release(home, monkeypatch, "023_")
    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(GOOD[:5]) + b"\n")
    _run(home / "w.duckdb", exports)
    before = _query(home / "w.duckdb", "select * from raw.webhook_events order by all")
    with warehouse.connect(home / "w.duckdb") as con:
        con.execute("insert into marts.build_watermarks values ('delivery_funnel_daily', 'webhook_events', 14, 15), "
                    "('delivery_funnel_daily', 'send_attempts', 0, 1)")

    add_023()
    assert _query(home / "w.duckdb", "select * from raw.webhook_events order by all") == before
    assert _query(home / "w.duckdb", "select source_table from marts.build_watermarks") == [("send_attempts",)]
    (exports / "webhooks" / "b.ndjson").write_bytes(b"\n".join(GOOD[5:]) + b"\n")
    assert _run(home / "w.duckdb", exports).rows_new == 3 * len(GOOD[5:])
    with warehouse.connect(home / "w.duckdb") as con:
        con.execute("checkpoint")
        compression = dict(con.execute(
            "select column_name, string_agg(distinct compression) from pragma_storage_info('raw.webhook_events') "
            "where segment_type in ('VARCHAR', 'JSON') group by column_name").fetchall())
    assert {column: compression[column] for column in ("event_key", "tracking_id", "mid", "payload")} == dict.fromkeys(
        ("event_key", "tracking_id", "mid", "payload"), "ZSTD")


def test_postbacks_and_optins_landed_by_an_older_release_move_to_the_messenger_table(home, exports, monkeypatch):
    """Migration 031: postbacks and opt-ins are standard Messenger events; the rows an older release
    kept in raw.webhook_events move, typed from their payloads; quarantine rows become item 0;
    manifest rows get event counts from what their files left in the tables."""
    add_031 = _older_release(home, monkeypatch, "031_")
    with warehouse.connect(home / "w.duckdb") as con:
        con.execute("insert into raw.webhook_events values ('k-post', 'postback', '140', null, '7001', null, null, "
                    "'m_1', null, null, '2025-11-27 00:00:00+00', null, ?, 'webhooks/a.ndjson', 1)",
                    ['{"sender":{"id":"7001"},"postback":{"mid":"m_1","title":"Shop","payload":"P",'
                     '"referral":{"ref":"r","source":"SHORT_URL"}}}'])
        con.execute("insert into raw.webhook_events values ('k-opt', 'optin', '140', null, '7002', 'tok-1', null, "
                    "null, null, null, '2025-11-27 00:00:01+00', null, '{}', 'webhooks/a.ndjson', 2)")
        con.execute("insert into raw.webhook_events values ('k-del', 'delivery', '140', '5', '7003', 'tok-3', 't', "
                    "'m_3', null, null, '2025-11-27 00:00:02+00', null, '{}', 'webhooks/a.ndjson', 3)")
        con.execute("insert into raw.ingest_quarantine values ('webhooks', 'webhooks/a.ndjson', 4, 'not JSON', 'x')")
        con.execute("insert into raw.ingest_manifest (source, file, bytes_read, lines_read, lines_landed, "
                    "lines_quarantined, file_size) values ('webhooks', 'webhooks/a.ndjson', 100, 4, 3, 1, 100)")
    add_031()
    db = home / "w.duckdb"
    assert _query(db, "select event_key, event_type from raw.webhook_events") == [("k-del", "delivery")]
    assert _query(db, "select event_key, event_type, page_id, sender_id, mid, postback_title, postback_payload, "
                      "referral_ref, referral_source, subscription_token from raw.messenger_events order by 1") == [
        ("k-opt", "optin", "140", "7002", None, None, None, None, None, "tok-1"),
        ("k-post", "postback", "140", "7001", "m_1", "Shop", "P", "r", "SHORT_URL", None),
    ]
    assert _query(db, "select line, item, reason from raw.ingest_quarantine") == [(4, 0, "not JSON")]
    assert _query(db, "select events_read, events_landed, events_kept, events_quarantined from raw.ingest_manifest") == [
        (4, 1, 2, 1)]


MIXED = [
    s.line(s.changes(("marketing_message_deliveries", s.echo(1)), ("messages", {
        "sender": {"id": "7003"}, "recipient": {"id": str(s.PAGE)}, "timestamp": s.TS_MS,
        "message": {"mid": "m_QR", "text": "Yes", "quick_reply": {"payload": "WANT_DEAL"}}}), ("feed", {"x": 1}))),
    s.line({"object": "page", "entry": [
        {"id": str(s.PAGE), "time": s.TS_MS, "messaging": [s.postback(), {"sender": {"id": "1"}, "mystery": {}}]},
        {"id": str(s.PAGE), "time": s.TS_MS, "changes": [
            {"field": "marketing_message_reads", "value": s.echo(2)},
            {"field": "message_campaign", "value": {"id": "124141414124", "status": "PAUSED"}}]}]}),
    b"not json",
]


def test_a_mixed_post_lands_every_known_event_and_accounts_for_every_item(home, exports):
    (exports / "webhooks" / "mixed.ndjson").write_bytes(b"\n".join(MIXED) + b"\n")
    stats = _run(home / "w.duckdb", exports)
    # Items: line 1 has 3 (delivery, quick reply, unknown), line 2 has 4 (postback, unknown, read, campaign
    # change), line 3 is quarantined whole and counts as one.
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined) == (3, 2, 1)
    assert (stats.events_read, stats.events_landed, stats.events_kept, stats.events_quarantined) == (8, 2, 3, 3)
    assert stats.balanced
    db = home / "w.duckdb"
    assert _query(db, "select event_type, source_line from raw.webhook_events order by 2") == [("delivery", 1), ("read", 2)]
    assert _query(db, "select event_type, quick_reply_payload, postback_payload, source_line from raw.messenger_events "
                      "order by source_line") == [("message", "WANT_DEAL", None, 1), ("postback", None, "P", 2)]
    assert _query(db, "select field, entity_id, status, source_line from raw.campaign_changes") == [
        ("message_campaign", "124141414124", "PAUSED", 2)]
    assert _query(db, "select line, item, reason from raw.ingest_quarantine order by line, item") == [
        (1, 3, "unknown event type 'feed' (entry 0 changes 2)"),
        (2, 2, "unknown event type: no field and no known keys (entry 0 messaging 1; keys mystery,sender)"),
        (3, 0, "not JSON: invalid literal, expected 'null': line 1 column 1 (char 0)"),
    ]
    assert _query(db, "select events_read, events_landed, events_kept, events_quarantined from raw.ingest_manifest") == [
        (8, 2, 3, 3)]
    # Redelivered in another file: nothing new lands anywhere, every item is counted again.
    (exports / "webhooks" / "again.ndjson").write_bytes(b"\n".join(MIXED[:2]) + b"\n")
    again = _run(db, exports)
    assert (again.events_read, again.rows_new) == (7, 0)
    assert _query(db, "select count(*) from raw.messenger_events") == [(2,)]
    assert _query(db, "select count(*) from raw.campaign_changes") == [(1,)]
