"""Ingestion's manifest rows, run counts and lanes on a few lines each: a file's row when first read
and after bytes are appended, a refused file's row, a sealed .gz read again or rewritten, and which
lines the Python parser gets. Every expected row is written out by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipelines import warehouse
from pipelines.webhooks.ingest import WEBHOOKS, ExportChangedError, ingest
from tests.webhooks.test_ingest import GOOD, record_python_lines

MANIFEST = ("select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, "
            "events_landed, events_kept, events_quarantined from raw.ingest_manifest order by file")


@pytest.fixture
def exports(home: Path) -> Path:
    (home / "exports" / "webhooks").mkdir(parents=True)
    return home / "exports"


def _run(home: Path, exports: Path, **kwargs):
    with warehouse.connect(home / "w.duckdb") as con:
        return ingest(con, exports, WEBHOOKS, **kwargs)


def _query(home: Path, sql: str) -> list[tuple]:
    with warehouse.connect(home / "w.duckdb") as con:
        return con.execute(sql).fetchall()


def test_a_files_manifest_row_is_its_totals_when_first_read_and_after_an_append(home, exports):
    # Each GOOD line holds three delivery events.
    first = GOOD[0] + b"\n" + b"not json\n" + GOOD[1] + b"\n"
    path = exports / "webhooks" / "a.ndjson"
    path.write_bytes(first)
    stats = _run(home, exports)
    assert (stats.files, stats.bytes_read, stats.lines_read, stats.lines_landed, stats.lines_quarantined,
            stats.rows_new) == (1, len(first), 3, 2, 1, 6)
    assert (stats.events_read, stats.events_landed, stats.events_kept, stats.events_quarantined) == (7, 6, 0, 1)
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/a.ndjson", len(first), 3, 2, 1, len(first), 7, 6, 0, 1)]
    assert _query(home, "select file, line, item from raw.ingest_quarantine") == [("webhooks/a.ndjson", 2, 0)]

    more = b"also not json\n" + GOOD[2] + b"\n"
    path.write_bytes(first + more)
    stats = _run(home, exports)
    assert (stats.files, stats.bytes_read, stats.lines_read, stats.lines_landed, stats.lines_quarantined,
            stats.rows_new) == (1, len(more), 2, 1, 1, 3)
    size = len(first + more)
    assert _query(home, MANIFEST) == [("webhooks", "webhooks/a.ndjson", size, 5, 3, 2, size, 11, 9, 0, 2)]
    assert _query(home, "select line from raw.ingest_quarantine order by line") == [(2,), (4,)]


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
