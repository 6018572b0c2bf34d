"""Ingestion's landings at their edges: a failure inside a landing's transaction rolls all of it
back and raises its own error, a run leaves no frame registered and no event staged, a file is
complete in the manifest once (and only once) it is read to its end, a landing of several send
chunks counts each chunk's rows, and batches of exactly as many rows as their table has columns
(which polars reads as columns unless told the rows are rows). Every expected value is written out
by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines import warehouse
from pipelines.webhooks import ingest as ingestion
from pipelines.webhooks.batches import parse_chunk
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, ingest
from pipelines.webhooks.lines import LineChunk
from tests.webhooks import samples as s
from tests.webhooks.test_ingest import GOOD

MANIFEST = ("select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, "
            "events_landed, events_kept, events_quarantined from raw.ingest_manifest order by file")
SEND = [s.line(s.send_ok(n)) for n in range(3)]  # 187 bytes each: 188 with the newline


@pytest.fixture
def exports(home: Path) -> Path:
    (home / "exports" / "webhooks").mkdir(parents=True)
    (home / "exports" / "sends").mkdir(parents=True)
    return home / "exports"


def _query(home: Path, sql: str) -> list[tuple]:
    with warehouse.connect(home / "w.duckdb") as con:
        return con.execute(sql).fetchall()


class _Boom(Exception):
    pass


@pytest.mark.parametrize("kind", ["refused", "webhooks", "sends"])
def test_a_failure_inside_a_landing_rolls_it_back_and_raises_its_own_error(home, exports, monkeypatch, tmp_path_factory,
                                                                           kind):
    source = SENDS if kind == "sends" else WEBHOOKS
    folder = exports / source.name
    if kind == "refused":
        outside = tmp_path_factory.mktemp("outside")
        (outside / "x.ndjson").write_bytes(GOOD[0] + b"\n")
        (folder / "a.ndjson").symlink_to(outside / "x.ndjson")
    else:
        good = GOOD[0] if kind == "webhooks" else SEND[0]
        (folder / "a.ndjson").write_bytes(good + b"\n" + b"not json\n")
    real_finish = ingestion._finish_chunk

    def finish_then_fail(con, parsed, progress):
        real_finish(con, parsed, progress)  # the quarantine rows and the manifest row are written, then
        raise _Boom

    monkeypatch.setattr(ingestion, "_finish_chunk", finish_then_fail)
    with warehouse.connect(home / "w.duckdb") as con:
        with pytest.raises(_Boom):
            ingest(con, exports, source)
        # Nothing of the landing is left, and no transaction is left open on the connection.
        assert con.execute("select count(*) from raw.ingest_manifest").fetchall() == [(0,)]
        assert con.execute("select count(*) from raw.ingest_quarantine").fetchall() == [(0,)]
        table = "send_attempts" if source is SENDS else "webhook_events"
        assert con.execute(f"select count(*) from raw.{table}").fetchall() == [(0,)]
        con.execute("begin transaction")
        con.execute("rollback")
        if kind == "webhooks":
            assert con.execute("select count(*) from webhook_staged").fetchall() == [(0,)]


def _temporaries(con) -> tuple[list[tuple], list[tuple]]:
    """The connection's registered frames (temporary views) and temporary tables with their rows."""
    views = con.execute("select view_name from duckdb_views() where temporary and not internal").fetchall()
    tables = con.execute("select table_name, estimated_size from duckdb_tables() where temporary").fetchall()
    return views, tables


def test_a_run_leaves_no_frame_registered_and_nothing_staged(home, exports, tmp_path_factory):
    from tests.webhooks.test_ingest import MIXED  # quarantined lines and items, kept Messenger events and changes

    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.ndjson").write_bytes(GOOD[0] + b"\n")
    (exports / "webhooks" / "a.ndjson").symlink_to(outside / "x.ndjson")  # refused
    mixed = b"\n".join(MIXED) + b"\n"
    (exports / "webhooks" / "b.ndjson").write_bytes(mixed)
    (exports / "sends" / "s.ndjson").write_bytes(SEND[0] + b"\n" + b"not json\n")
    with warehouse.connect(home / "w.duckdb") as con:
        sends = ingest(con, exports, SENDS)
        assert sends.rows_new == 1
        assert _temporaries(con) == ([], [])  # a send-log run stages nothing
        webhooks = ingest(con, exports, WEBHOOKS)
        assert (webhooks.files, webhooks.bytes_read, webhooks.rows_new) == (2, len(mixed), 2)
        assert _temporaries(con) == ([], [("webhook_staged", 0)])
        assert con.execute("select count(*) from raw.messenger_events").fetchall() == [(2,)]
        assert con.execute("select count(*) from raw.campaign_changes").fetchall() == [(1,)]


def test_a_landing_of_several_send_chunks_counts_the_rows_of_each(home):
    first = parse_chunk(LineChunk.of(SEND[0] + b"\n" + SEND[1]), 0, "sends/a.ndjson", SENDS)
    second = parse_chunk(LineChunk.of(SEND[2]), 2, "sends/a.ndjson", SENDS)
    rows = [("sends", "sends/a.ndjson", 376, 2, 2, 0, None, 2, 2, 0, 0),
            ("sends", "sends/a.ndjson", 564, 3, 3, 0, 564, 3, 3, 0, 0)]
    with warehouse.connect(home / "w.duckdb") as con:
        assert ingestion._land(con, SENDS, [(first, rows[0]), (second, rows[1])]) == 3
        assert con.execute("select tracking_id, source_line from raw.send_attempts order by 2").fetchall() == [
            ("trk-0", 1), ("trk-1", 2), ("trk-2", 3)]
        assert con.execute(MANIFEST).fetchall() == [rows[1]]


def _stop_before_landing(monkeypatch, number: int) -> None:
    """Stop the run (as Ctrl-C would) when its landing `number` (from 1) would start; 0: after the first."""
    real_land, landings = ingestion._land, []

    def land(con, source, pending):
        landings.append(1)
        if len(landings) == number:
            raise KeyboardInterrupt
        inserted = real_land(con, source, pending)
        if number == 0:
            raise KeyboardInterrupt
        return inserted

    monkeypatch.setattr(ingestion, "_land", land)


@pytest.mark.parametrize("name", ["a.ndjson", "a.ndjson.gz"])
def test_a_file_read_in_part_is_not_complete_and_is_completed_by_the_next_run(home, exports, monkeypatch, name):
    path = exports / "sends" / name
    whole = SEND[0] + b"\n" + SEND[1] + b"\n"
    path.write_bytes(gzip.compress(whole) if name.endswith(".gz") else whole)
    size = path.stat().st_size
    _stop_before_landing(monkeypatch, 2)  # chunk_bytes=1: one line a chunk, a landing a chunk
    with warehouse.connect(home / "w.duckdb") as con, pytest.raises(KeyboardInterrupt):
        ingest(con, exports, SENDS, chunk_bytes=1)
    assert _query(home, MANIFEST) == [("sends", f"sends/{name}", 188, 1, 1, 0, None, 1, 1, 0, 0)]
    monkeypatch.undo()
    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, exports, SENDS, chunk_bytes=1)
    assert (stats.files, stats.lines_read, stats.rows_new) == (1, 1, 1)
    assert _query(home, MANIFEST) == [("sends", f"sends/{name}", 376, 2, 2, 0, size, 2, 2, 0, 0)]


def test_a_plain_file_read_to_its_end_is_complete_in_its_landings_own_transaction(home, exports, monkeypatch):
    (exports / "sends" / "a.ndjson").write_bytes(SEND[0] + b"\n")
    _stop_before_landing(monkeypatch, 0)  # stopped once the file's one landing has committed
    with warehouse.connect(home / "w.duckdb") as con, pytest.raises(KeyboardInterrupt):
        ingest(con, exports, SENDS)
    assert _query(home, MANIFEST) == [("sends", "sends/a.ndjson", 188, 1, 1, 0, 188, 1, 1, 0, 0)]


def test_a_file_ending_in_part_of_a_line_is_not_complete(home, exports):
    (exports / "webhooks" / "a.ndjson").write_bytes(GOOD[0] + b"\n" + GOOD[1][:40])  # a writer is in line 2
    with warehouse.connect(home / "w.duckdb") as con:
        ingest(con, exports, WEBHOOKS)
    read = len(GOOD[0]) + 1
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/a.ndjson", read, 1, 1, 0, None, 3, 3, 0, 0)]


def test_the_rows_of_a_flush_and_of_the_last_landing_add_up(home, exports, monkeypatch):
    a = GOOD[0] + b"\n" + GOOD[1] + b"\n"
    (exports / "webhooks" / "a.ndjson").write_bytes(a)
    (exports / "webhooks" / "b.ndjson").write_bytes(GOOD[2] + b"\n")  # fewer bytes than a
    monkeypatch.setattr(ingestion, "FLUSH_BYTES", len(a))  # a lands once read (6 events), b at the end (3)
    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, exports, WEBHOOKS)
    assert (stats.files, stats.lines_read, stats.rows_new) == (2, 3, 9)


def _postback(n: int) -> dict:
    return {**s.postback(), "sender": {"id": str(8000 + n)}, "postback": {"mid": f"m_{n}", "payload": f"P{n}"}}


def test_batches_of_as_many_rows_as_their_table_has_columns_land_as_rows(home, exports):
    # 6 quarantine columns, 19 Messenger event columns, 12 campaign change columns: one chunk of each.
    junk = [f"junk {n}".encode() for n in range(6)]
    messenger = s.line(s.messaging(*[_postback(n) for n in range(19)]))
    changes = s.line(s.changes(*[("message_campaign", {"id": str(5000 + n), "status": "PAUSED"}) for n in range(12)]))
    (exports / "webhooks" / "a.ndjson").write_bytes(b"\n".join(junk) + b"\n")
    (exports / "webhooks" / "b.ndjson").write_bytes(messenger + b"\n")
    (exports / "webhooks" / "c.ndjson").write_bytes(changes + b"\n")
    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, exports, WEBHOOKS)
    assert (stats.lines_read, stats.lines_quarantined, stats.events_kept) == (8, 6, 31)
    assert _query(home, "select line, reason from raw.ingest_quarantine order by line") == [
        (n, "not JSON: unexpected character, expected a JSON value: line 1 column 1 (char 0)") for n in range(1, 7)]
    assert _query(home, "select postback_payload from raw.messenger_events order by 1") == sorted(
        (f"P{n}",) for n in range(19))
    assert _query(home, "select entity_id, status from raw.campaign_changes order by entity_id") == [
        (str(5000 + n), "PAUSED") for n in range(12)]


def test_the_damage_of_a_gz_is_the_first_of_its_reason_in_a_chunk_without_one():
    parsed = parse_chunk(LineChunk.of(GOOD[0]), 0, "webhooks/c.ndjson.gz", WEBHOOKS)
    chunk = LineChunk(b"", [0], 0, "Not a gzipped file (b'<h')")
    ingestion._quarantine_damage(parsed, WEBHOOKS, "webhooks/c.ndjson.gz", 2, chunk)
    assert parsed.reasons == {"damaged .gz file": 1}
    assert parsed.bad == [("webhooks", "webhooks/c.ndjson.gz", 2, 0, "damaged .gz file (Not a gzipped file (b'<h')): "
                           "nothing after line 1 can be read", "")]
    assert (parsed.lines, parsed.lines_quarantined) == (2, 1)


def test_select_keeps_only_the_files_it_returns_true_for_by_their_name_under_the_exports(home, exports):
    for name, line in (("a.ndjson", GOOD[0]), ("b.ndjson", GOOD[1]), ("c.ndjson", GOOD[2])):
        (exports / "webhooks" / name).write_bytes(line + b"\n")
    asked: list[str] = []

    def owns(rel: str) -> bool:
        asked.append(rel)
        return rel == "webhooks/b.ndjson"

    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, exports, WEBHOOKS, select=owns)
    assert asked == ["webhooks/a.ndjson", "webhooks/b.ndjson", "webhooks/c.ndjson"]
    assert (stats.files, stats.lines_read, stats.rows_new) == (1, 1, 3)
    assert _query(home, "select file from raw.ingest_manifest") == [("webhooks/b.ndjson",)]
