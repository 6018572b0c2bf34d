"""Ingestion no single file can blow up or block: the line cap holds while reading (a .gz bomb, a
newline flood, measured in a child process), runs of empty or too long lines are one quarantine
row, symlinks leaving the exports folder and names that are not UTF-8 are refused, not read."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets import marts
from assets.exports_raw import webhook_events
from pipelines import warehouse
from pipelines.resources import build_resources
from pipelines.webhooks.exports import exports_fingerprint
from pipelines.webhooks.ingest import WEBHOOKS, ingest
from tests.webhooks.test_ingest import GOOD

ROOT = Path(__file__).resolve().parents[2]
MiB = 2**20
BOMB_HEAD, BOMB_TAIL = b'{"object":"page","pad":"', b'"}'

# The child ingests the exports and prints its peak RSS (VmHWM, KiB) less its RSS just before
# ingesting, the quarantine rows and the manifest. Not ru_maxrss: Linux carries that over from the
# forking parent across exec, so a child of a large test process would start at the parent's peak.
_CHILD = """
import json, sys
from pathlib import Path
from pipelines import warehouse
from pipelines.webhooks.ingest import WEBHOOKS, ingest
def status(field):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(field + ":"))
with warehouse.connect(Path(sys.argv[2])) as con:
    before = status("VmRSS")
    ingest(con, Path(sys.argv[1]), WEBHOOKS)
    grown = status("VmHWM") - before
    rows = con.execute("select line, item, reason, length(raw_text) from raw.ingest_quarantine order by line").fetchall()
    manifest = con.execute("select lines_read, lines_landed, lines_quarantined, events_read, events_landed, "
                           "events_quarantined from raw.ingest_manifest").fetchall()
print(json.dumps({"grown_mb": grown / 1024, "rows": rows, "manifest": manifest}))
"""


def _ingest_in_child(home: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(home / "exports"), str(home / "w.duckdb")], cwd=ROOT,
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout)


def _bomb_gz(path: Path, mib: int) -> None:
    """One line of `mib` MiB of padding, then a good line: gzip members of the same 1 MiB block, so
    that the file is written at once (522 KB for 512 MiB, like the measured bomb)."""
    block = gzip.compress(b"x" * MiB, compresslevel=9)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(BOMB_HEAD))
        for _ in range(mib):
            handle.write(block)
        handle.write(gzip.compress(BOMB_TAIL + b"\n" + GOOD[0] + b"\n"))


def _bomb_plain(path: Path, mib: int) -> None:
    with open(path, "wb") as handle:
        handle.write(BOMB_HEAD)
        for _ in range(mib):
            handle.write(b"x" * MiB)
        handle.write(BOMB_TAIL + b"\n" + GOOD[0] + b"\n")


# Bound on the child's peak RSS growth while it ingests. The reader holds at most a chunk of whole
# lines within the cap plus a block being decompressed (8 MiB + 1 MiB here), and the quarantine row
# 64 KiB; measured: 15-22 MB. DuckDB's own buffers and the allocator get the rest of the margin. Before
# the cap held while reading, the 512 MiB .gz line took 1.5 GB, the 256 MiB plain line over 500 MB
# and 8 MiB of newlines about 3 GB, so the bound fails those by far.
MAX_GROWTH_MB = 200


@pytest.mark.parametrize(("name", "write", "line_bytes"), [
    ("bomb.ndjson.gz", lambda path: _bomb_gz(path, 512), 512 * MiB + 26),
    ("bomb.ndjson", lambda path: _bomb_plain(path, 256), 256 * MiB + 26),
])
def test_a_line_far_past_the_cap_is_quarantined_within_about_the_cap_in_memory(home, name, write, line_bytes):
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    write(folder / name)
    try:
        result = _ingest_in_child(home)
    finally:
        (folder / name).unlink()  # do not leave hundreds of MB in the kept temporary folders
    assert result["grown_mb"] < MAX_GROWTH_MB
    reason = f"line too long ({line_bytes} bytes > 8388608) (raw_text truncated to the first 65536 of {line_bytes} bytes)"
    assert result["rows"] == [[1, 0, reason, 65536]]
    assert result["manifest"] == [[2, 1, 1, 4, 3, 1]]  # the good line after it lands its 3 events


@pytest.mark.parametrize("gz", [False, True])
def test_eight_mib_of_newlines_is_one_quarantine_row(home, gz):
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    flood = b"\n" * (8 * MiB)
    if gz:
        (folder / "flood.ndjson.gz").write_bytes(gzip.compress(flood))
    else:
        (folder / "flood.ndjson").write_bytes(flood)
    result = _ingest_in_child(home)
    assert result["grown_mb"] < MAX_GROWTH_MB
    assert result["rows"] == [[1, 0, "empty line (8388608 in a row: lines 1-8388608)", 0]]
    # Each empty line is a line and an event quarantined: the one row stands for all of them.
    assert result["manifest"] == [[8388608, 0, 8388608, 8388608, 0, 8388608]]


@pytest.mark.parametrize("sql", [True, False])
def test_runs_are_numbered_exactly_and_the_lines_after_them_keep_their_numbers(home, sql):
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    long_a, long_b = b"a" * (9 * MiB), b"b" * (10 * MiB) + b"\r"
    lines = [GOOD[0], b"", b"  ", b"\r", b"\t \r", b"", GOOD[1], long_a, long_b, GOOD[2], b" "]
    (folder / "a.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    with warehouse.connect(home / "w.duckdb") as con:
        stats = ingest(con, home / "exports", WEBHOOKS, sql=sql, chunk_bytes=4096)
        rows = con.execute("select line, item, reason, raw_text from raw.ingest_quarantine order by line").fetchall()
        landed = con.execute("select distinct source_line from raw.webhook_events order by 1").fetchall()
        manifest = con.execute("select lines_read, lines_landed, lines_quarantined, events_read, events_landed, "
                               "events_kept, events_quarantined from raw.ingest_manifest").fetchall()
    assert rows == [
        (2, 0, "empty line (5 in a row: lines 2-6)", ""),
        (8, 0, "line too long (2 in a row: lines 8-9, up to 10485760 bytes > 8388608) "
               "(raw_text truncated to the first 65536 of 9437184 bytes)", "a" * 65536),
        (11, 0, "empty line", ""),
    ]
    assert landed == [(1,), (7,), (10,)]
    assert manifest == [(11, 3, 8, 17, 9, 0, 8)]
    assert (stats.lines_read, stats.lines_quarantined, stats.events_quarantined) == (11, 8, 8)
    assert stats.quarantine_reasons == {"empty line": 6, "line too long": 2}
    assert stats.balanced


def test_symlinks_leaving_the_exports_folder_are_refused_unread(home, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.ndjson").write_bytes(GOOD[0] + b"\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "x.ndjson").write_bytes(GOOD[1] + b"\n")
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    (folder / "real.ndjson").write_bytes(GOOD[2] + b"\n")
    (home / "exports" / "kept").mkdir()
    (home / "exports" / "kept" / "k.ndjson").write_bytes(GOOD[3] + b"\n")
    (folder / "inside.ndjson").symlink_to(home / "exports" / "kept" / "k.ndjson")  # stays inside: read
    (folder / "passwd.ndjson").symlink_to(outside / "secret.ndjson")
    (folder / "linked").symlink_to(outside / "folder")
    for _ in range(2):  # a second run refuses nothing again
        with warehouse.connect(home / "w.duckdb") as con:
            ingest(con, home / "exports", WEBHOOKS)
    with warehouse.connect(home / "w.duckdb") as con:
        rows = con.execute("select file, line, item, reason, raw_text from raw.ingest_quarantine order by file").fetchall()
        landed = con.execute("select distinct source_file from raw.webhook_events order by 1").fetchall()
        refused = con.execute("select lines_read, lines_quarantined, events_read, events_quarantined from "
                              "raw.ingest_manifest where file = 'webhooks/linked'").fetchall()
    assert rows == [
        ("webhooks/linked", 0, 0, "symlinked folder whose target is outside the exports folder: not read", None),
        ("webhooks/passwd.ndjson", 0, 0, "symlink whose target is outside the exports folder: not read", None),
    ]
    assert landed == [("webhooks/inside.ndjson",), ("webhooks/real.ndjson",)]
    assert refused == [(1, 1, 1, 1)]  # the refused entry counts as one line and one event, quarantined


def test_a_file_name_that_is_not_utf8_is_one_quarantine_row_and_runs_go_on(home):
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    (folder / "good.ndjson").write_bytes(GOOD[0] + b"\n")
    Path(os.fsdecode(os.fsencode(folder) + b"/bad-\xff.ndjson")).write_bytes(GOOD[1] + b"\n")
    assert exports_fingerprint(home / "exports")[1] == 2  # the sensor still lists the exports
    resources = build_resources(str(home))
    for _ in range(2):
        result = dg.materialize([webhook_events, marts.delivery_funnel_daily], resources=resources)
        assert result.success
    with warehouse.connect(home / "warehouse.duckdb") as con:
        rows = con.execute("select file, line, reason from raw.ingest_quarantine").fetchall()
        assert con.execute("select count(*) from raw.webhook_events").fetchall() == [(3,)]
        assert con.execute("select count(*) from marts.delivery_funnel_daily").fetchall()[0][0] > 0
    assert rows == [("webhooks/bad-\\xff.ndjson", 0, "file name is not valid UTF-8: not read (rename the file to read it)")]
