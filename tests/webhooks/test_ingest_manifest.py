"""Ingestion's manifest rows, run counts and lanes on a few lines each: a file's row when first read
and after bytes are appended, a refused file's row, a sealed .gz read again or rewritten, and which
lines the Python parser gets. Every expected row is written out by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines import warehouse
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, ExportChangedError, ingest
from tests.webhooks import samples as s
from tests.webhooks.test_ingest import GOOD, record_python_lines

MANIFEST = ("select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, "
            "events_landed, events_kept, events_quarantined from raw.ingest_manifest order by file")


@pytest.fixture
def exports(home: Path) -> Path:
    (home / "exports" / "webhooks").mkdir(parents=True)
    return home / "exports"


def _run(home: Path, exports: Path, source=WEBHOOKS, **kwargs):
    with warehouse.connect(home / "w.duckdb") as con:
        return ingest(con, exports, source, **kwargs)


def _query(home: Path, sql: str) -> list[tuple]:
    with warehouse.connect(home / "w.duckdb") as con:
        return con.execute(sql).fetchall()


def test_a_files_manifest_row_is_its_totals_when_first_read_and_after_an_append(home, exports):
    # Each GOOD line holds three delivery events; the postback is a Messenger event, kept.
    first = GOOD[0] + b"\n" + b"not json\n" + GOOD[1] + b"\n" + s.line(s.messaging(s.postback())) + b"\n"
    path = exports / "webhooks" / "a.ndjson"
    path.write_bytes(first)
    stats = _run(home, exports)
    assert (stats.files, stats.bytes_read, stats.lines_read, stats.lines_landed, stats.lines_quarantined,
            stats.rows_new) == (1, len(first), 4, 3, 1, 6)
    assert (stats.events_read, stats.events_landed, stats.events_kept, stats.events_quarantined) == (8, 6, 1, 1)
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/a.ndjson", len(first), 4, 3, 1, len(first), 8, 6, 1, 1)]
    assert _query(home, "select file, line, item from raw.ingest_quarantine") == [("webhooks/a.ndjson", 2, 0)]

    more = b"also not json\n" + GOOD[2] + b"\n"
    path.write_bytes(first + more)
    stats = _run(home, exports)
    assert (stats.files, stats.bytes_read, stats.lines_read, stats.lines_landed, stats.lines_quarantined,
            stats.rows_new) == (1, len(more), 2, 1, 1, 3)
    size = len(first + more)
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/a.ndjson", size, 6, 4, 2, size, 12, 9, 1, 2)]
    assert _query(home, "select line from raw.ingest_quarantine order by line") == [(2,), (5,)]


def test_a_refused_file_counts_in_the_run_and_is_a_complete_row_of_one_line_quarantined(home, exports, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.ndjson").write_bytes(GOOD[0] + b"\n")  # 1 + len(GOOD[0]) bytes: not what the row holds
    (exports / "webhooks" / "a.ndjson").symlink_to(outside / "secret.ndjson")
    (exports / "webhooks" / "b.ndjson").write_bytes(GOOD[1] + b"\n")
    stats = _run(home, exports)
    link_size = (exports / "webhooks" / "a.ndjson").lstat().st_size  # the symlink's own size, its target's path
    assert link_size == len(str(outside / "secret.ndjson"))
    assert (stats.files, stats.lines_read, stats.lines_landed, stats.lines_quarantined, stats.rows_new) == (2, 2, 1, 1, 3)
    assert stats.quarantine_reasons == {"symlink whose target is outside the exports folder": 1}
    b_size = len(GOOD[1]) + 1
    assert _query(home, MANIFEST) == [
        ("webhooks", "webhooks/a.ndjson", 0, 1, 0, 1, link_size, 1, 0, 0, 1),
        ("webhooks", "webhooks/b.ndjson", b_size, 1, 1, 0, b_size, 3, 3, 0, 0),
    ]
    assert _run(home, exports).files == 0  # both complete: nothing to read or refuse again


def test_a_sealed_gz_read_again_unchanged_is_skipped_and_rewritten_is_an_error(home, exports):
    path = exports / "webhooks" / "a.ndjson.gz"
    path.write_bytes(gzip.compress(GOOD[0] + b"\n"))
    assert _run(home, exports).rows_new == 3
    assert _run(home, exports).files == 0
    path.write_bytes(gzip.compress(GOOD[0] + b"\n" + GOOD[1] + b"\n"))
    with pytest.raises(ExportChangedError, match=r"webhooks/a.ndjson.gz: \d+ bytes on disk but \d+ when it was read "
                       r"to its end; a sealed .gz must not change \(move the rewritten file aside\)"):
        _run(home, exports)


def test_plain_lines_go_to_duckdb_by_default_and_to_the_python_parser_without_the_sql_lane(home, exports, monkeypatch):
    (exports / "webhooks" / "a.ndjson").write_bytes(GOOD[0] + b"\n" + GOOD[1] + b"\n")
    in_python = record_python_lines(monkeypatch)
    assert _run(home, exports).rows_new == 6
    assert in_python == []
    with warehouse.connect(home / "p.duckdb") as con:
        assert ingest(con, exports, WEBHOOKS, sql=False).rows_new == 6
    assert in_python == [(1, GOOD[0]), (2, GOOD[1])]


def test_an_empty_file_is_complete_at_once(home, exports):
    (exports / "webhooks" / "e.ndjson").write_bytes(b"")
    assert _run(home, exports).files == 1
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/e.ndjson", 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    assert _run(home, exports).files == 0


def _four_files(exports: Path) -> None:
    """Four files of one junk line each (quarantined: 'not JSON'), of 100, 100, 100 and 99 bytes."""
    for n, size in enumerate([100, 100, 100, 99]):
        (exports / "webhooks" / f"p{n}.ndjson").write_bytes(b"x" * (size - 1) + b"\n")


@pytest.mark.parametrize(("flush_bytes", "reported"), [
    (200, [2]),  # landed once 200 bytes are staged: after p1; p2 and p3 (199) land at the end
    (201, [3]),  # after p2 (300 bytes); p3 lands at the end
])
def test_webhook_chunks_land_once_flush_bytes_are_staged(home, exports, monkeypatch, flush_bytes, reported):
    from pipelines.webhooks import ingest as ingest_module

    _four_files(exports)
    monkeypatch.setattr(ingest_module, "FLUSH_BYTES", flush_bytes)
    monkeypatch.setattr(ingest_module, "PROGRESS_SECONDS", 0.0)
    seen: list[int] = []
    stats = _run(home, exports, on_progress=lambda so_far: seen.append(so_far.lines_read))
    assert seen == reported and (stats.lines_read, stats.lines_quarantined) == (4, 4)


class _Clock:
    """time.monotonic() giving the listed readings, in order."""

    def __init__(self, *readings: float):
        self.readings = iter(readings)

    def monotonic(self) -> float:
        return next(self.readings)


def test_progress_is_reported_once_progress_seconds_have_passed_since_the_last_report(home, exports, monkeypatch):
    from pipelines.webhooks import ingest as ingest_module

    _four_files(exports)
    monkeypatch.setattr(ingest_module, "FLUSH_BYTES", 1)  # land after every file
    # start 100; after p0: 105 (5 s: report, from 105); p1: 109 (4 s); p2: 110 (5 s: report, from 110); p3: 114.
    monkeypatch.setattr(ingest_module, "time", _Clock(100, 105, 105, 109, 110, 110, 114))
    seen: list[int] = []
    _run(home, exports, on_progress=lambda so_far: seen.append(so_far.lines_read))
    assert seen == [1, 3]
    (exports / "webhooks" / "p4.ndjson").write_bytes(b"x\n")
    monkeypatch.setattr(ingest_module, "time", _Clock(0, 60))
    assert _run(home, exports).lines_read == 1  # no callback: nothing to report to, however long it took



@pytest.mark.parametrize("table", ["raw.webhook_events", "raw.messenger_events", "raw.ingest_quarantine",
                                   "raw.send_attempts"])
def test_a_failed_landing_raises_its_own_error_and_lands_nothing(home, exports, table):
    """A table that no longer fits what ingestion writes (a NOT NULL column added by hand, which an
    insert naming its columns fails on and one without a column list does not bind to) fails the
    landing with DuckDB's own error, not with "Current transaction is aborted", and the chunk's
    transaction leaves every table and the manifest as they were."""
    (exports / "webhooks" / "a.ndjson").write_bytes(GOOD[0] + b"\n" + s.line(s.messaging(s.postback())) + b"\nnot json\n")
    (exports / "sends").mkdir()
    (exports / "sends" / "s.ndjson").write_bytes(s.line(s.send_ok(1)) + b"\nnot json\n")
    with warehouse.connect(home / "w.duckdb") as con:
        con.execute(f"alter table {table} add column extra integer default 1")
        con.execute(f"alter table {table} alter column extra set not null")
        con.execute(f"alter table {table} alter column extra drop default")
    source = SENDS if table == "raw.send_attempts" else WEBHOOKS
    with pytest.raises(Exception, match="NOT NULL constraint failed|has 19 columns but 18 values") as failed:
        _run(home, exports, source=source)
    assert "transaction is aborted" not in str(failed.value)
    counts = ("select (select count(*) from raw.webhook_events), (select count(*) from raw.messenger_events), "
              "(select count(*) from raw.send_attempts), (select count(*) from raw.ingest_quarantine), "
              "(select count(*) from raw.ingest_manifest)")
    assert _query(home, counts) == [(0, 0, 0, 0, 0)]
