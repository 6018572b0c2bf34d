"""Benchmark: ingesting webhook exports into the typed `raw.webhook_events` table.

Compares, on the same generated files (about 1-5 change events per line, ids as JSON numbers,
millisecond timestamps, ~2% redelivered lines):
- mmlens: `pipelines.webhooks.ingest` as the assets run it (DuckDB parses the plain lines, the
  Python parser the others; dedupe, quarantine, manifest); `mmlens-python` sends every line
  through the Python parser (the reference lane);
- DuckDB alone: its typed `read_json` + `UNNEST` + one `insert ... select` into the same table
  (no dedupe of redeliveries, no quarantine: it stops at the first malformed line);
- dlt (optional): a pipeline into DuckDB fed Arrow tables built with orjson (its fastest path). dlt
  is not a dependency of mmlens: give `--dlt-python` an interpreter that has `dlt[duckdb]`, orjson
  and pyarrow (`python3 -m venv /tmp/dlt && /tmp/dlt/bin/pip install "dlt[duckdb]" orjson pyarrow`).
- arrow-floor, arrow-payload, arrow-bodies: the least a lane on pyarrow's JSON reader would do
  (`bench/webhook_arrow_probe.py`; not a lane: no quarantine, no fallback, payload lost or replaced).
- msgspec, msgspec-lean: the least a lane on msgspec in one worker process per core would do
  (`bench/webhook_msgspec_probe.py`; not a lane: lines its fast path refuses are counted, not parsed;
  msgspec is not a dependency: `.venv/bin/uv pip install -p .venv/bin/python msgspec` first).
Each variant runs in its own process (fresh warehouse) so its peak memory is measured alone.

    .venv/bin/python bench/webhook_ingest.py --events 1000000 [--dlt-python /tmp/dlt/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = ["marketing_message_echoes", "marketing_message_deliveries", "marketing_message_reads",
          "marketing_message_clicks"]
VALUE_TYPE = ("STRUCT(recipient_id VARCHAR, page_id VARCHAR, app_id VARCHAR, \"timestamp\" BIGINT, mid VARCHAR, "
              "marketing_message_tracking_id VARCHAR, messenger_subscription_token VARCHAR, message_id VARCHAR, "
              "error_message VARCHAR, business_id VARCHAR)")
ENTRY_TYPE = f"STRUCT(id VARCHAR, \"time\" BIGINT, changes STRUCT(field VARCHAR, value {VALUE_TYPE})[])[]"

DUCKDB_SQL = f"""
insert into raw.webhook_events
select md5(c.field || to_json(c.value)::varchar) as event_key,
       case c.field when 'marketing_message_echoes' then 'echo' when 'marketing_message_deliveries' then 'delivery'
            when 'marketing_message_reads' then 'read' else 'click' end,
       coalesce(c.value.page_id, entry_id), c.value.message_id, nullif(c.value.recipient_id, '0'),
       c.value.messenger_subscription_token, c.value.marketing_message_tracking_id, c.value.mid,
       c.value.app_id, c.value.business_id,
       case when c.value."timestamp" > 253402300799 then make_timestamptz(c.value."timestamp" * 1000)
            else make_timestamptz(c.value."timestamp" * 1000000) end,
       c.value.error_message, to_json(c.value), filename, line
from (
    select filename, line, e.id as entry_id, unnest(e.changes) as c
    from (select filename, row_number() over (partition by filename) as line, unnest(entry) as e
          from read_json(?, format = 'newline_delimited', filename = true,
                         columns = {{'object': 'VARCHAR', 'entry': '{ENTRY_TYPE}'}}))
)
"""


def generate(folder: Path, events: int, seed: int = 5, per_file: int = 200_000) -> tuple[int, int]:
    """Write `events` change events as plain NDJSON files; returns (lines, bytes)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    made = lines = size = 0
    file_no = 0
    handle = None
    in_file = per_file
    previous: bytes | None = None
    while made < events:
        if in_file >= per_file:
            if handle:
                handle.close()
            file_no += 1
            handle = open(folder / f"bench-{file_no:04d}.ndjson", "wb")
            in_file = 0
        if previous is not None and rng.random() < 0.02:
            line = previous  # a redelivered POST
        else:
            changes = []
            for _ in range(min(rng.randint(1, 5), events - made)):
                n = made + len(changes)
                value = {"recipient_id": 7_000_000_000_000_000 + n, "page_id": 140984918491243,
                         "app_id": 12313123123123, "timestamp": 1_764_201_600_000 + n * 37,
                         "mid": f"mid.$c{n:012d}", "marketing_message_tracking_id": f"98ecd977-245a-4ec0-a8e0-{n:012d}",
                         "messenger_subscription_token": f"{12348141984909088 + n}",
                         "message_id": str(124141414124 + n % 50)}
                changes.append({"field": FIELDS[n % 4], "value": value})
            made += len(changes)
            line = json.dumps({"object": "page", "entry": [{"id": "140984918491243", "time": 1_764_201_600_000 + made,
                                                            "changes": changes}]}, separators=(",", ":")).encode()
        previous = line
        handle.write(line + b"\n")
        lines += 1
        in_file += len(line) // 400 + 1
        size += len(line) + 1
    handle.close()
    return lines, size


def run_mmlens(exports: Path, db: Path, sql: bool = True) -> dict:
    from pipelines import warehouse
    from pipelines.webhooks.ingest import WEBHOOKS, ingest

    with warehouse.connect(db) as con:
        stats = ingest(con, exports, WEBHOOKS, sql=sql)
        ((rows,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    return {"rows": rows, "lines": stats.lines_read, "quarantined": stats.lines_quarantined}


def run_duckdb(exports: Path, db: Path) -> dict:
    from pipelines import warehouse

    with warehouse.connect(db) as con:
        # The same table (no key index since migration 011); DuckDB alone does not dedupe redeliveries.
        con.execute(DUCKDB_SQL, [str(exports / "webhooks" / "*.ndjson")])
        ((rows,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    return {"rows": rows}


def run_dlt(exports: Path, db: Path) -> dict:
    import dlt
    import orjson
    import pyarrow as pa

    def batches():
        for path in sorted((exports / "webhooks").glob("*.ndjson")):
            rows = []
            with open(path, "rb") as handle:
                for number, raw in enumerate(handle, 1):
                    for entry in orjson.loads(raw)["entry"]:
                        for change in entry["changes"]:
                            v = change["value"]
                            rows.append({"event_type": change["field"], "page_id": str(v["page_id"]),
                                         "message_campaign_id": str(v["message_id"]),
                                         "recipient_id": str(v["recipient_id"]),
                                         "subscription_token": v["messenger_subscription_token"],
                                         "tracking_id": v.get("marketing_message_tracking_id"), "mid": v.get("mid"),
                                         "app_id": str(v.get("app_id")), "event_ts_ms": v["timestamp"],
                                         "source_file": path.name, "source_line": number})
                    if len(rows) >= 100_000:
                        yield pa.Table.from_pylist(rows)
                        rows = []
            if rows:
                yield pa.Table.from_pylist(rows)

    pipeline = dlt.pipeline(pipeline_name="bench", destination=dlt.destinations.duckdb(str(db)),
                            dataset_name="raw", pipelines_dir=str(db.parent / "dlt"))
    pipeline.run(dlt.resource(batches(), name="webhook_events"))
    import duckdb

    con = duckdb.connect(str(db))
    ((rows,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    con.close()
    return {"rows": rows}


def run_mmlens_python(exports: Path, db: Path) -> dict:
    return run_mmlens(exports, db, sql=False)


def run_arrow_floor(exports: Path, db: Path) -> dict:
    from bench.webhook_arrow_probe import run

    return run(exports, db, bodies=False)


def run_arrow_payload(exports: Path, db: Path) -> dict:
    from bench.webhook_arrow_probe import run

    return run(exports, db, bodies=False, payload=True)


def run_arrow_bodies(exports: Path, db: Path) -> dict:
    from bench.webhook_arrow_probe import run

    return run(exports, db, bodies=True)


def run_msgspec(exports: Path, db: Path) -> dict:
    from bench.webhook_msgspec_probe import run

    return run(exports, db)


def run_msgspec_lean(exports: Path, db: Path) -> dict:
    from bench.webhook_msgspec_probe import run

    return run(exports, db, lean=True)


VARIANTS = {"mmlens": run_mmlens, "mmlens-python": run_mmlens_python, "duckdb": run_duckdb, "dlt": run_dlt,
            "msgspec": run_msgspec, "msgspec-lean": run_msgspec_lean,
            "arrow-floor": run_arrow_floor,
            "arrow-payload": run_arrow_payload, "arrow-bodies": run_arrow_bodies}


def _child(variant: str, exports: Path, db: Path) -> None:
    started = time.perf_counter()
    result = VARIANTS[variant](exports, db)
    result["seconds"] = time.perf_counter() - started
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (all threads, plus parser processes) are what a loaded machine distorts least.
    result["cpu"] = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    result["peak_mb"] = max(me.ru_maxrss, children.ru_maxrss) / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dlt-python", help="also run dlt, with this interpreter (one that has dlt[duckdb])")
    parser.add_argument("--variants", default="mmlens,duckdb",
                        help="comma-separated, from: " + ", ".join(VARIANTS))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    with tempfile.TemporaryDirectory(prefix="mmlens-bench-") as tmp:
        exports = Path(tmp) / "exports"
        started = time.perf_counter()
        lines, size = generate(exports / "webhooks", args.events)
        print(f"generated {args.events:,} events in {lines:,} lines, {size / 1e6:.0f} MB "
              f"({time.perf_counter() - started:.1f} s)")
        results = {}
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}, cpus {os.cpu_count()}")
        for variant in [*args.variants.split(","), *(["dlt"] if args.dlt_python else [])]:
            db = Path(tmp) / f"{variant}.duckdb"
            python = args.dlt_python if variant == "dlt" else sys.executable
            out = subprocess.run([python, __file__, "--child", variant, str(exports), str(db)],
                                 check=True, capture_output=True, text=True).stdout
            results[variant] = json.loads(out.strip().splitlines()[-1])
            r = results[variant]
            print(f"{variant:>12}: {r['seconds']:6.2f} s  cpu {r['cpu']:6.2f} s  peak {r['peak_mb']:6.0f} MB  rows {r['rows']:,}"
                  + (f"  lines {r['lines']:,} quarantined {r['quarantined']}" if "lines" in r else "")
                  + "".join(f"  {k} {r[k]}" for k in ("workers_cpu", "stage_s", "stage_cpu", "land_s", "land_cpu") if k in r))
        base = results.get("mmlens", {}).get("seconds")
        for variant, r in results.items():
            if variant != "mmlens" and base:
                print(f"ratio {variant}/mmlens: time {r['seconds'] / base:.2f}x, "
                      f"cpu {r['cpu'] / results['mmlens']['cpu']:.2f}x")


if __name__ == "__main__":
    main()
