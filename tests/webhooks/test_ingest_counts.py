"""Ingestion's bookkeeping without a warehouse: the run's counts, a file's progress and its manifest
row, and the quarantine row of a damaged .gz. Every total is written out by hand."""

from __future__ import annotations

from pathlib import Path

from pipelines.webhooks.batches import SENDS, WEBHOOKS, Kept, ParsedChunk
from pipelines.webhooks.ingest import IngestStats, _Progress, _quarantine_damage
from pipelines.webhooks.lines import LineChunk


def _chunk(lines: int, landed: int, bad: list[tuple], reasons: dict[str, int], *, events_landed: int = 0,
           messenger: int = 0, changes: int = 0, more_lines: int = 0) -> ParsedChunk:
    kept = Kept(messenger=[("m",)] * messenger, changes=[("c",)] * changes)
    return ParsedChunk(lines, landed, None, bad, reasons, events_landed=events_landed, kept=kept,
                       more_lines=more_lines)


# Two chunks: 5 lines (4 read whole, 1 quarantined as a line, 1 item quarantined alone; 6 events
# landed, 2 Messenger events and 1 campaign change kept), then 3 lines (a run of 3 empty lines).
FIRST = _chunk(5, 4, [("webhooks", "f", 2, 0, "not JSON", "x"), ("webhooks", "f", 3, 2, "unknown event type", "y")],
               {"not JSON": 1, "unknown event type": 1}, events_landed=6, messenger=2, changes=1)
SECOND = _chunk(3, 0, [("webhooks", "f", 6, 0, "empty line", "")], {"empty line": 1, "not JSON": 2}, more_lines=2)


def test_a_runs_counts_add_up_over_its_chunks():
    stats = IngestStats()
    stats.count(FIRST, 1000)
    stats.count(SECOND, 24)
    assert (stats.lines_read, stats.lines_landed, stats.lines_quarantined, stats.bytes_read) == (8, 4, 4, 1024)
    assert (stats.events_read, stats.events_landed, stats.events_kept, stats.events_quarantined) == (14, 6, 3, 5)
    assert stats.quarantine_reasons == {"not JSON": 3, "unknown event type": 1, "empty line": 1}
    assert stats.balanced
    assert not IngestStats(events_read=3, events_landed=1, events_kept=1, events_quarantined=0).balanced
    assert not IngestStats(lines_read=2, lines_landed=1, lines_quarantined=0).balanced


def test_a_files_progress_adds_up_and_is_its_manifest_row():
    progress = _Progress(Path("/exports/webhooks/a.ndjson"), "webhooks/a.ndjson", 5000, 100, 7, 6, 1, 0,
                         events_read=9, events_landed=5, events_kept=2, events_quarantined=2)
    progress.count(FIRST)
    progress.count(SECOND)
    progress.offset += 1024
    assert not progress.gz and _Progress(Path("b.gz"), "webhooks/b.ndjson.gz", 1, 0, 0, 0, 0, 1).gz
    # source, file, offset, lines, lines landed, lines quarantined, size when complete, then the events
    # read, landed, kept and quarantined.
    assert progress.manifest_row(WEBHOOKS, False) == ("webhooks", "webhooks/a.ndjson", 1124, 15, 10, 5, None,
                                                      23, 11, 5, 7)
    assert progress.manifest_row(SENDS, True)[:7] == ("sends", "webhooks/a.ndjson", 1124, 15, 10, 5, 5000)


def test_the_damage_of_a_gz_is_one_more_line_quarantined_with_what_it_cut_short():
    parsed = _chunk(2, 2, [], {"damaged .gz file": 1})
    chunk = LineChunk(b'{"torn', [], 6, "Compressed file ended before the end-of-stream marker was reached")
    _quarantine_damage(parsed, WEBHOOKS, "webhooks/c.ndjson.gz", 3, chunk)
    why = ("damaged .gz file (Compressed file ended before the end-of-stream marker was reached): "
           "nothing after line 2 can be read")
    assert parsed.bad == [("webhooks", "webhooks/c.ndjson.gz", 3, 0, why, '{"torn')]
    assert parsed.reasons == {"damaged .gz file": 2}
    assert (parsed.lines, parsed.lines_quarantined, parsed.events_quarantined) == (3, 1, 1)
