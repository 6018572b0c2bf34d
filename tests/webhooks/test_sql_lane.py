"""The SQL lane (DuckDB parses the plain lines) lands exactly what the Python parser lands, table for table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines import warehouse
from pipelines.simulator.export import export
from pipelines.simulator.world import World, WorldSize
from pipelines.webhooks import sql_lane
from pipelines.webhooks.exports import LineChunk
from pipelines.webhooks.ingest import WEBHOOKS, ingest
from tests.webhooks import samples as s
from tests.webhooks.mutated_lines import mutated_lines
from tests.webhooks.test_ingest import BAD_CORPUS, GOOD, _edge_lines, record_python_lines, webhook_rows

TABLES = {
    "messenger_events": "select * exclude (payload), payload::varchar from raw.messenger_events order by all",
    "campaign_changes": "select * exclude (value, payload), payload::varchar from raw.campaign_changes order by all",
    "ingest_quarantine": "select * from raw.ingest_quarantine order by all",
    "ingest_manifest": "select * from raw.ingest_manifest order by all",
}
PLAIN = s.line(s.changes(("marketing_message_reads", s.echo(40)), ("marketing_message_clicks", s.echo(41))))


def _tricky_lines() -> list[bytes]:
    """Lines DuckDB's JSON reader and orjson could read differently, or that only look plain."""
    head = b'{"object":"page","entry":[{"id":"140984918491243","time":1764201600123,"changes":['
    item = b'{"field":"marketing_message_reads","value":{"page_id":1,"timestamp":1764201600,"mid":"m.%d"}}'

    def changed(n: int, old: bytes, new: bytes) -> bytes:
        """The line of one item numbered `n`, with `old` replaced by `new` in the item."""
        return head + item.replace(old, new) % n + b"]}]}"

    return [
        head + item % 1 + b",]}]}",  # trailing comma: DuckDB reads it, orjson does not
        head + item % 2 + b" , ] } ] }",
        changed(3, b'"mid"', b'"x":NaN,"mid"'),
        changed(4, b'"mid"', b'"x":-Infinity,"mid"'),
        changed(7, b'"field":"marketing_message_reads",', b''),
        head + item % 8 + b',{"field":"marketing_message_reads","value":{"timestamp":1.5}}]}]}',
        changed(10, b'"m.%d"', b'"m.\\u00e9%d"'),
        changed(11, b'"m.%d"', "\"m.é✓%d\"".encode()),
        head + item % 12 + b"]}]}\r",
        changed(13, b'"page_id":1', b'"page_id":123456789012345678901234'),
        changed(14, b'"page_id":1', b'"page_id":true'),
        changed(15, b'"page_id":1', b'"page_id":null'),
        changed(16, b'"page_id":1', b'"page_id":{"a":1}'),
        changed(17, b'"page_id":1', b'"brand_new_key":1'),
        changed(18, b'"timestamp":1764201600,', b''),
        head.replace(b'1764201600123', b'1764201600.5') + item.replace(b'"timestamp":1764201600,', b'') % 19
        + b"]}]}",
        head.replace(b'"140984918491243"', b'140984918491243.0') + item.replace(b'"page_id":1,', b'') % 20 + b"]}]}",
        head.replace(b'"140984918491243"', b'""') + item.replace(b'"page_id":1,', b'') % 21 + b"]}]}",
        changed(22, b'"timestamp":1764201600', b'"timestamp":1764201600123456'),
        changed(23, b'"timestamp":1764201600', b'"timestamp":"1764201600"'),
        changed(24, b'"timestamp":1764201600', b'"timestamp":-5'),
        head + b'{"field":"marketing_message_reads","value":{}}]}]}',
        head + b'{"field":"marketing_message_reads","value":[]}]}]}',
        head + b'{"field":"marketing_message_reads","value":"x"}]}]}',
        head + item % 25 + b',5]}]}',
        b'{"object":"page","entry":[5,' + head[26:] + item % 26 + b"]}]}",
        b'{"object":"page","entry":[{"id":"1","time":1,"changes":null},' + head[26:] + item % 27 + b"]}]}",
        b'{"object":"page","entry":[' + head[26:] + item % 28 + b'],"messaging":[]}]}',
        b'  ' + head + item % 29 + b"]}]}\t",
        head + item % 30 + b"]}]} x",
        changed(31, b'"mid":"m.%d"', b'"mid":"m.%d","error_message":""'),
        changed(32, b'"page_id":1', b'"page_id":""'),
        changed(33, b'"page_id":1', b'"page_id":18446744073709551615'),
        changed(34, b'"page_id":1', b'"page_id":-0'),
        changed(35, b'"page_id":1', b'"page_id":1E2'),
        changed(37, b'"page_id":1', b'"field":null,"page_id":1'),  # the parser drops `field`
        changed(38, b'"page_id":1', b'"page_id":1,"n":123456789012345678901234'),
        changed(39, b'"page_id":1', b'"page_id":1,"n":-9223372036854775809'),
        changed(40, b'"page_id":1', b'"page_id":1,"n":18446744073709551615'),
        # Nanoseconds (too large to scale without overflow), and the millisecond range's last values.
        changed(41, b'"timestamp":1764201600', b'"timestamp":1764201600123456789'),
        changed(42, b'"timestamp":1764201600', b'"timestamp":253402300799000'),
        changed(43, b'"timestamp":1764201600', b'"timestamp":253402300799500'),
        # DuckDB also reads nan, inf and infinity in any case, signed or not; orjson rejects them all.
        changed(44, b'"page_id":1', b'"page_id":-nan'),
        head.replace(b'1764201600123', b'-INF') + item % 45 + b"]}]}",
        head + item % 36 + b"]}]}" + b"\xff",  # not UTF-8: the chunk is parsed in Python
    ]


def _repeated_keys() -> list[bytes]:
    """Lines with a key repeated at each level the SQL lane reads (DuckDB would take the first
    occurrence, orjson the last), one spelled with an escape: all go to the Python parser."""
    head = b'{"object":"page","entry":[{"id":"1","time":1764201600,"changes":[{"field":"marketing_message_reads",'
    value = b'"value":{"page_id":1,"timestamp":1764201600,"mid":"m.%d"}'
    item = b'{"field":"marketing_message_reads",' + value + b'}'
    return [
        head + b'"value":{"page_id":1,"timestamp":1764201600,"mid":"first","mid":"last"}}]}]}',
        head + b'"value":{"page_id":1,"timestamp":1764201600,"mid":"first","m\\u0069d":"last"}}]}]}',
        head + value % 1 + b',"value":{"timestamp":1764201601,"mid":"m.2"}}]}]}',
        b'{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"marketing_message_clicks",'
        + value % 3 + b',"field":"marketing_message_reads"}]}]}',
        b'{"object":"page","entry":[{"id":"1","id":"2","changes":[' + item % 4 + b']}]}',
        b'{"object":"page","entry":[{"id":"1","changes":[' + item % 5 + b'],"changes":[' + item % 6 + b']}]}',
        b'{"object":"page","entry":[{"id":"1","changes":[' + item % 7 + b']}],"entry":[{"changes":[' + item % 8
        + b']}]}',
    ]


def _ingest_both(home: Path, exports: Path, **kwargs) -> None:
    for name, sql in (("python", False), ("sql", True)):
        with warehouse.connect(home / f"{name}.duckdb") as con:
            ingest(con, exports, WEBHOOKS, sql=sql, **kwargs)


def _assert_same_tables(home: Path) -> None:
    assert webhook_rows(home / "sql.duckdb") == webhook_rows(home / "python.duckdb")
    for table, sql in TABLES.items():
        with warehouse.connect(home / "python.duckdb") as con:
            expected = con.execute(sql).fetchall()
        with warehouse.connect(home / "sql.duckdb") as con:
            assert con.execute(sql).fetchall() == expected, table


@pytest.mark.parametrize("chunk_bytes", [4096, 32 * 1024 * 1024])
def test_test_corpora_land_identically(home, chunk_bytes):
    """Good lines, the bad corpus, the edge cases of the SQL lane and the lines that only look plain."""
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    tricky = _tricky_lines()
    (folder / "a.ndjson").write_bytes(b"\n".join([*GOOD, *BAD_CORPUS.values(), *_edge_lines(), PLAIN]) + b"\n")
    (folder / "b.ndjson").write_bytes(b"\n".join([*tricky[:-1], GOOD[2], PLAIN]) + b"\n")
    (folder / "c.ndjson").write_bytes(b"\n".join(tricky) + b"\n")
    (folder / "d.ndjson").write_bytes(b"\n".join([*_repeated_keys(), PLAIN]) + b"\n")
    _ingest_both(home, home / "exports", chunk_bytes=chunk_bytes)
    _assert_same_tables(home)


@pytest.mark.parametrize("seed", [1, 2])
def test_randomly_mutated_lines_land_identically(home, monkeypatch, seed):
    """Thousands of lines with tokens the two JSON readers may read differently, in every field."""
    lines = mutated_lines(seed, 4000)
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    (folder / "a.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    _ingest_both(home, home / "exports")
    _assert_same_tables(home)
    with warehouse.connect(home / "sql.duckdb") as con:
        landed, quarantined = con.execute("select (select count(distinct source_line) from raw.webhook_events), "
                                          "(select count(*) from raw.ingest_quarantine)").fetchall()[0]
    assert landed > 1000 and quarantined > 1000  # both kinds of line are well represented
    to_python = record_python_lines(monkeypatch)
    con = duckdb.connect()
    sql_lane.create_staging(con)
    sql_lane.stage_chunk(con, LineChunk.of(b"\n".join(lines)), 0, "webhooks/a.ndjson", 0)
    assert len(lines) - len(to_python) > 500  # and a good share of the landed ones went through DuckDB


def test_a_simulator_export_lands_identically(home):
    world = World(seed=7, size=WorldSize(accounts=2, campaigns_per_account=2, days=12, sends_per_campaign_day=25),
                  today=date(2026, 3, 1))
    export(world, home, date(2026, 2, 18), date(2026, 2, 28))
    _ingest_both(home, home / "exports")
    _assert_same_tables(home)
    with warehouse.connect(home / "sql.duckdb") as con:
        assert con.execute("select count(*) from raw.webhook_events").fetchall()[0][0] > 500


def test_plain_lines_are_parsed_by_duckdb_and_the_others_by_python(monkeypatch):
    """The SQL stages the plain lines (all their events), the parser takes the rest, with its reasons."""
    tricky = _tricky_lines()
    chunk = b"\n".join([PLAIN, GOOD[0], tricky[0], b"junk", s.line(s.messaging(s.optin())), PLAIN])
    to_python = record_python_lines(monkeypatch)
    con = duckdb.connect()
    sql_lane.create_staging(con)
    parsed = sql_lane.stage_chunk(con, LineChunk.of(chunk), 10, "webhooks/f.ndjson", 0)
    assert [n for n, _ in to_python] == [13, 14, 15]
    assert (parsed.lines, parsed.landed, [row[2] for row in parsed.bad]) == (6, 4, [13, 14])
    assert parsed.reasons == {"not JSON": 2}
    staged = con.execute("select source_line, count(*) from webhook_staged group by all order by all").fetchall()
    assert staged == [(11, 2), (12, 3), (16, 2)]  # line 16 redelivers 11: the flush keeps one
    # Line 15's opt-in is a standard Messenger event, kept in its own table.
    assert [(row[1], row[-2]) for row in parsed.kept.messenger] == [("optin", 15)]
    assert (parsed.events_read, parsed.events_landed, len(parsed.kept), parsed.events_quarantined) == (10, 7, 1, 2)


def test_a_repeated_key_goes_to_the_parser_and_is_read_with_its_last_occurrence(home, monkeypatch):
    """Both lanes read a repeated key alike: DuckDB leaves the line to the parser, which (like
    orjson) takes the last occurrence."""
    lines = _repeated_keys()
    to_python = record_python_lines(monkeypatch)
    con = duckdb.connect()
    sql_lane.create_staging(con)
    sql_lane.stage_chunk(con, LineChunk.of(b"\n".join([PLAIN, *lines])), 0, "webhooks/a.ndjson", 0)
    assert [n for n, _ in to_python] == list(range(2, 2 + len(lines)))
    folder = home / "exports" / "webhooks"
    folder.mkdir(parents=True)
    (folder / "a.ndjson").write_bytes(b"\n".join(lines[:2]) + b"\n")
    with warehouse.connect(home / "w.duckdb") as con:
        ingest(con, home / "exports", WEBHOOKS)
        assert con.execute("select mid from raw.webhook_events").fetchall() == [("last",)]
