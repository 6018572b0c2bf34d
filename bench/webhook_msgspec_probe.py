"""Probe: would msgspec, in one worker process per core, land the benchmark's webhook lines faster than DuckDB alone?

Not a lane: timed against `bench/webhook_ingest.py`'s variants on the same files (`--variants
mmlens,duckdb,msgspec`). The parent reads each 64 MiB chunk of whole lines (the ingestion's own
reader) and hands each half of its lines, as a byte range of the file, to a pool of one worker per
core. A worker decodes each line into typed `msgspec.Struct`s (the envelope, entries and items; the
value kept as `msgspec.Raw`, then decoded typed: ids as strings or integers, an integer
timestamp), builds the staging columns (ids as text, the timestamp in microseconds, the payload as
the value's own bytes) as an Arrow table and writes it to shared memory (Arrow IPC); the parent
maps it, computes the event key in DuckDB and stages the events, and lands them with the
ingestion's own deduplicating insert. The fast path takes only lines whose payload as sent is what
the reference parser stores (no whitespace, no backslash, no negative number, no key repeated or
unknown, every item a marketing-message delivery field with an integer timestamp); a lane would
send the others to the reference parser, as the SQL lane does: the probe only counts them (none
in these files).
- msgspec: the worker builds every staging column;
- msgspec-lean: the worker checks each line and ships only the line, position, event type, entry id
  and payload; DuckDB reads the ids and timestamp from the payload (`json_transform`, as the SQL
  lane does).
msgspec is not a dependency of mmlens: `.venv/bin/uv pip install -p .venv/bin/python msgspec`.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from pathlib import Path

import msgspec
import pyarrow as pa
from msgspec import UNSET, Raw, Struct, UnsetType

Id = int | str | None


class Value(Struct, forbid_unknown_fields=True):
    recipient_id: Id = None
    page_id: Id = None
    app_id: Id = None
    mid: Id = None
    marketing_message_tracking_id: Id = None
    messenger_subscription_token: Id = None
    message_id: Id = None
    business_id: Id = None
    timestamp: int | None = None
    error_message: str | None = None


class Change(Struct, forbid_unknown_fields=True):
    field: str
    value: Raw


class Entry(Struct, forbid_unknown_fields=True):
    changes: list[Change]
    id: Id | UnsetType = UNSET
    time: int | float | str | None | UnsetType = UNSET


class Body(Struct, forbid_unknown_fields=True):
    entry: list[Entry]
    object: str | None | UnsetType = UNSET


TYPES = {"marketing_message_echoes": "echo", "marketing_message_deliveries": "delivery",
         "marketing_message_reads": "read", "marketing_message_clicks": "click",
         "marketing_message_delivery_failed": "delivery_failed"}
COLUMNS = ("source_line", "ordinal", "event_type", "page_id", "message_campaign_id", "recipient_id",
           "subscription_token", "tracking_id", "mid", "app_id", "business_id", "event_ts_us", "error_message")
_INT = {"source_line", "ordinal", "event_ts_us"}
_MAX_SECONDS, _MAX_MILLIS = 253402300799, 253402300799000
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, KeyError, ValueError)

_body, _value = msgspec.json.Decoder(Body), msgspec.json.Decoder(Value)
_maps: dict[str, mmap.mmap] = {}


def _text(x):
    if type(x) is str:
        return x or None
    return None if x is None else str(x)


def _lines(path: str, start: int, end: int) -> list[bytes]:
    """The lines of `path` from byte `start` to `end` (the file mapped once per worker)."""
    buf = _maps.get(path)
    if buf is None:
        with open(path, "rb") as handle:
            buf = _maps[path] = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    lines = buf[start:end].split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _ship(table: pa.Table) -> str:
    """Write `table` to a shared-memory file (Arrow IPC) for the parent to map; returns its name."""
    fd, name = tempfile.mkstemp(prefix="mmlens-msgspec-", suffix=".arrow", dir="/dev/shm")
    with os.fdopen(fd, "wb") as handle, pa.ipc.new_file(handle, table.schema) as writer:
        writer.write_table(table)
    return name


def _payload(payloads: list) -> pa.Array:
    """The payloads' bytes as one text column (one copy, no per-value conversion)."""
    lengths = [0]
    total = 0
    for p in payloads:
        total += len(p)
        lengths.append(total)
    return pa.LargeStringArray.from_buffers(len(payloads), pa.array(lengths, pa.int64()).buffers()[1],
                                            pa.py_buffer(b"".join(payloads)))


def parse_range(task: tuple[str, int, int, int]) -> tuple[str | None, int, list[int]]:
    """(shared-memory file of the events' Arrow table or None, lines read, lines refused) for the
    lines of `path` from byte `start` to `end`, numbered from `first`."""
    path, start, end, first = task
    lines = _lines(path, start, end)
    cols: list[list] = [[] for _ in COLUMNS]
    (c_line, c_ord, c_type, c_page, c_camp, c_rec, c_tok, c_trk, c_mid, c_app, c_bus, c_ts, c_err) = cols
    payloads: list = []
    refused: list[int] = []
    for n, line in enumerate(lines, first):
        if b"\\" in line or b" " in line or b"\t" in line or b"\r" in line or b":-" in line:
            refused.append(n)
            continue
        mark = len(c_line)
        try:
            body = _body.decode(line)
            keys = 1 + (body.object is not UNSET)
            for e_no, entry in enumerate(body.entry):
                page_e = entry.id
                keys += 1 + (page_e is not UNSET) + (entry.time is not UNSET)
                page_e = None if page_e is UNSET else _text(page_e)
                for i, change in enumerate(entry.changes, 1):
                    c_type.append(TYPES[change.field])
                    raw = change.value
                    v = _value.decode(raw)
                    ts = v.timestamp
                    if ts is None or not 0 <= ts <= _MAX_MILLIS:
                        raise ValueError
                    fields = (v.recipient_id, v.page_id, v.app_id, v.mid, v.marketing_message_tracking_id,
                              v.messenger_subscription_token, v.message_id, v.business_id, ts, v.error_message)
                    keys += 12 - fields.count(None)
                    x = v.page_id
                    c_page.append(page_e if x is None else (x or None) if type(x) is str else str(x))
                    x = v.recipient_id
                    x = (x or None) if type(x) is str else None if x is None else str(x)
                    c_rec.append(None if x == "0" else x)
                    x = v.message_id
                    c_camp.append((x or None) if type(x) is str else None if x is None else str(x))
                    x = v.messenger_subscription_token
                    c_tok.append((x or None) if type(x) is str else None if x is None else str(x))
                    x = v.marketing_message_tracking_id
                    c_trk.append((x or None) if type(x) is str else None if x is None else str(x))
                    x = v.mid
                    c_mid.append((x or None) if type(x) is str else None if x is None else str(x))
                    x = v.app_id
                    c_app.append((x or None) if type(x) is str else None if x is None else str(x))
                    x = v.business_id
                    c_bus.append((x or None) if type(x) is str else None if x is None else str(x))
                    c_ts.append(ts * 1_000_000 if ts <= _MAX_SECONDS else ts * 1000)
                    c_err.append(v.error_message)
                    c_line.append(n)
                    c_ord.append(e_no * 1_000_000 + i)
                    payloads.append(raw)
            if line.count(b'":') != keys:  # a key repeated (msgspec keeps the last, as orjson does, but not in place)
                raise ValueError
        except _REFUSED:
            for c in cols:
                del c[mark:]
            del payloads[mark:]
            refused.append(n)
    if not c_line:
        return None, len(lines), refused
    table = _table(cols, payloads)
    return _ship(table), len(lines), refused


def parse_range_lean(task: tuple[str, int, int, int]) -> tuple[str | None, int, list[int]]:
    """As `parse_range`, but the worker only checks each line (types, keys) and ships (line, ordinal,
    field's event type, entry id, payload): DuckDB reads the typed fields from the payload."""
    path, start, end, first = task
    lines = _lines(path, start, end)
    c_line: list[int] = []
    c_ord: list[int] = []
    c_type: list[str] = []
    c_page: list[str | None] = []
    payloads: list = []
    refused: list[int] = []
    astuple = msgspec.structs.astuple
    for n, line in enumerate(lines, first):
        if b"\\" in line or b" " in line or b"\t" in line or b"\r" in line or b":-" in line:
            refused.append(n)
            continue
        mark = len(c_line)
        try:
            body = _body.decode(line)
            keys = 1 + (body.object is not UNSET)
            for e_no, entry in enumerate(body.entry):
                page_e = entry.id
                keys += 1 + (page_e is not UNSET) + (entry.time is not UNSET)
                page_e = None if page_e is UNSET else _text(page_e)
                for i, change in enumerate(entry.changes, 1):
                    c_type.append(TYPES[change.field])
                    raw = change.value
                    v = _value.decode(raw)
                    ts = v.timestamp
                    if ts is None or not 0 <= ts <= _MAX_MILLIS:
                        raise ValueError
                    keys += 12 - astuple(v).count(None)
                    c_line.append(n)
                    c_ord.append(e_no * 1_000_000 + i)
                    c_page.append(page_e)
                    payloads.append(raw)
            if line.count(b'":') != keys:
                raise ValueError
        except _REFUSED:
            for c in (c_line, c_ord, c_type, c_page, payloads):
                del c[mark:]
            refused.append(n)
    if not c_line:
        return None, len(lines), refused
    table = pa.table({"source_line": pa.array(c_line, pa.int64()), "ordinal": pa.array(c_ord, pa.int64()),
                      "event_type": pa.array(c_type, pa.string()), "entry_page": pa.array(c_page, pa.string()),
                      "payload": _payload(payloads)})
    return _ship(table), len(lines), refused


def _table(cols: list[list], payloads: list) -> pa.Table:
    arrays = {name: pa.array(c, pa.int64() if name in _INT else pa.string()) for name, c in zip(COLUMNS, cols, strict=True)}
    arrays["payload"] = _payload(payloads)
    return pa.table(arrays)


STAGE_SQL = """
insert into webhook_staged
select md5(concat(event_type, chr(31), page_id, chr(31), message_campaign_id, chr(31), recipient_id, chr(31),
        subscription_token, chr(31), tracking_id, chr(31), mid, chr(31), app_id, chr(31), business_id, chr(31),
        event_ts_us, chr(31), coalesce('m' || error_message, 'n'))),
    event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id,
    business_id, event_ts_us, error_message, payload, $source_file, $file_order, source_line, ordinal, true
from msgspec_events
"""


LEAN_STAGE_SQL = """
insert into webhook_staged
with typed as (
    select source_line, ordinal, event_type, entry_page, payload,
        json_transform(payload, '{"page_id":"VARCHAR","message_id":"VARCHAR","recipient_id":"VARCHAR",
            "messenger_subscription_token":"VARCHAR","marketing_message_tracking_id":"VARCHAR","mid":"VARCHAR",
            "app_id":"VARCHAR","business_id":"VARCHAR","timestamp":"BIGINT","error_message":"VARCHAR"}') as v
    from msgspec_events
),
events as (
    select source_line, ordinal, event_type, payload,
        case when v.page_id is null then entry_page else nullif(v.page_id, '') end as page_id,
        nullif(v.message_id, '') as message_campaign_id,
        nullif(nullif(v.recipient_id, ''), '0') as recipient_id,
        nullif(v.messenger_subscription_token, '') as subscription_token,
        nullif(v.marketing_message_tracking_id, '') as tracking_id,
        nullif(v.mid, '') as mid, nullif(v.app_id, '') as app_id, nullif(v.business_id, '') as business_id,
        case when v."timestamp" <= 253402300799 then v."timestamp" * 1000000 else v."timestamp" * 1000 end
            as event_ts_us,
        v.error_message
    from typed
)
select md5(concat(event_type, chr(31), page_id, chr(31), message_campaign_id, chr(31), recipient_id, chr(31),
        subscription_token, chr(31), tracking_id, chr(31), mid, chr(31), app_id, chr(31), business_id, chr(31),
        event_ts_us, chr(31), coalesce('m' || error_message, 'n'))),
    event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id,
    business_id, event_ts_us, error_message, payload, $source_file, $file_order, source_line, ordinal, true
from events
"""


def run(exports: Path, db: Path, lean: bool = False) -> dict:
    """Land every benchmark file the probe's way; returns rows landed and lines read."""
    import multiprocessing
    import resource
    import time

    pool = multiprocessing.get_context("fork").Pool(os.cpu_count() or 1)  # before DuckDB starts its threads
    from pipelines import warehouse
    from pipelines.webhooks import sql_lane
    from pipelines.webhooks.exports import read_chunks
    from pipelines.webhooks.ingest_memory import memory_capped

    lines = refused_lines = staged_bytes = 0
    stage_s = land_s = stage_cpu = land_cpu = 0.0

    def cpu() -> float:  # this process, DuckDB's threads included
        me = resource.getrusage(resource.RUSAGE_SELF)
        return me.ru_utime + me.ru_stime
    with pool, warehouse.connect(db) as con, memory_capped(con):
        sql_lane.create_staging(con)
        tasks, where = [], []
        for order, path in enumerate(sorted((exports / "webhooks").glob("*.ndjson"))):
            rel, line_no, offset = f"webhooks/{path.name}", 0, 0
            for chunk in read_chunks(path, 0, 64 * 1024 * 1024, False):
                half = len(chunk) // 2
                for a, b in ((0, half), (half, len(chunk))):
                    if b > a:
                        tasks.append((str(path), offset + chunk.bounds[a], offset + chunk.bounds[b], line_no + a + 1))
                        where.append((rel, order, chunk.consumed if b == len(chunk) else 0))
                line_no += len(chunk)
                offset += chunk.consumed
        results = pool.imap(parse_range_lean if lean else parse_range, tasks)
        for (name, n_lines, refused), (rel, order, consumed) in zip(results, where, strict=True):
            lines += n_lines
            refused_lines += len(refused)
            if name is not None:
                started, used = time.perf_counter(), cpu()
                with pa.memory_map(name) as source:
                    con.register("msgspec_events", pa.ipc.open_file(source).read_all())
                    con.execute(LEAN_STAGE_SQL if lean else STAGE_SQL, {"source_file": rel, "file_order": order})
                    con.unregister("msgspec_events")
                os.unlink(name)
                stage_s += time.perf_counter() - started
                stage_cpu += cpu() - used
            staged_bytes += consumed
            if staged_bytes >= 384 * 1024 * 1024:  # the ingestion's FLUSH_BYTES
                started, used = time.perf_counter(), cpu()
                _flush(con)
                land_s += time.perf_counter() - started
                land_cpu += cpu() - used
                staged_bytes = 0
        started, used = time.perf_counter(), cpu()
        _flush(con)
        con.execute("checkpoint")
        land_s += time.perf_counter() - started
        land_cpu += cpu() - used
        ((count,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool has been joined
    return {"rows": count, "lines": lines, "quarantined": 0, "refused": refused_lines,
            "workers_cpu": round(workers.ru_utime + workers.ru_stime, 2), "stage_s": round(stage_s, 2),
            "land_s": round(land_s, 2),
            "stage_cpu": round(stage_cpu, 2), "land_cpu": round(land_cpu, 2)}


def _flush(con) -> int:
    from pipelines.webhooks import sql_lane

    con.execute("begin transaction")
    inserted = sql_lane.flush_staged(con)
    con.execute("commit")
    sql_lane.clear_staged(con)
    return inserted
