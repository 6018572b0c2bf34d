"""Benchmark: webhook exports ingested into the lake as N shards at once, against the single-file backend.

On the same generated files (`bench/webhook_ingest.py`'s generator: 1-5 change events per line,
~2% redelivered lines, some of them at a file boundary and so in another shard):
- single: `pipelines.webhooks.ingest` into one DuckDB warehouse, as the default mode runs it;
- lake: N processes started together, shard k of N (`Shard(part=k, parts=N)`, files split by the
  CRC-32 of their path), each ingesting into its own DuckDB working copy and publishing its files
  to one lake (SQLite catalog, Parquet in a local folder): `pipelines.lake.shards.run_shard`.
Each runs in its own process(es), so wall time, CPU and peak RSS are each its own. Throughput is
events generated / wall time; the ratio is the lake's throughput over the single file's. Afterwards
the lake's distinct event keys are counted over its Parquet files and must equal the single
warehouse's rows (redeliveries across shards count once).

    .venv/bin/python bench/lake_ingest.py --events 20000000 --shards 4
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook_ingest import generate  # noqa: E402


def _usage() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": me.ru_utime + me.ru_stime, "peak_mb": me.ru_maxrss / 1024}


def child_single(exports: Path, work: Path) -> dict:
    from pipelines import warehouse
    from pipelines.webhooks.ingest import WEBHOOKS, ingest

    with warehouse.connect(work / "single.duckdb") as con:
        stats = ingest(con, exports, WEBHOOKS)
        ((rows,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
    return {"rows": rows, "lines": stats.lines_read}


def child_shard(exports: Path, work: Path, part: int, parts: int) -> dict:
    from pipelines.lake.catalog import Lake
    from pipelines.lake.config import parse_lake_settings
    from pipelines.lake.shards import Shard, run_shard

    settings = parse_lake_settings(_lake_env(work).get)
    assert settings is not None
    lake = Lake(settings)
    print("ready", flush=True)
    sys.stdin.readline()  # every shard starts at the same moment
    started = time.perf_counter()
    run = run_shard(work / f"shard-{part}.duckdb", exports, lake, Shard(part=part, parts=parts))
    published = {p.identifier: (p.rows, p.attempts) for p in run.published}
    return {"files": run.webhooks.files, "lines": run.webhooks.lines_read, "rows": run.webhooks.rows_new,
            "published": published, "publish_seconds": run.publish_seconds,
            "shard_seconds": time.perf_counter() - started}


def _lake_env(work: Path) -> dict[str, str]:
    return {"MMLENS_LAKE_CATALOG_URI": f"sqlite:///{work / 'catalog.db'}", "MMLENS_LAKE_WAREHOUSE": str(work / "lake")}


def _child(args: list[str]) -> None:
    kind, exports, work, *rest = args
    started = time.perf_counter()
    if kind == "single":
        result = child_single(Path(exports), Path(work))
    else:
        result = child_shard(Path(exports), Path(work), int(rest[0]), int(rest[1]))
    result["seconds"] = time.perf_counter() - started
    result.update(_usage())
    print(json.dumps(result), flush=True)


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--child", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"child failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def run_lake(exports: Path, work: Path, shards: int) -> tuple[float, list[dict]]:
    processes = [_start("shard", str(exports), str(work), str(k), str(shards)) for k in range(1, shards + 1)]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n", process.stderr
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [_result(p) for p in processes]
    return time.perf_counter() - started, results


def lake_distinct_events(work: Path) -> tuple[int, int]:
    """(rows stored, distinct event keys) of the lake's raw.webhook_events, over its current files."""
    import duckdb

    from pipelines.lake.catalog import Lake
    from pipelines.lake.config import parse_lake_settings

    settings = parse_lake_settings(_lake_env(work).get)
    assert settings is not None
    table = Lake(settings).catalog.load_table("raw.webhook_events")
    files = [task.file.file_path.removeprefix("file://") for task in table.scan().plan_files()]
    con = duckdb.connect(config={"memory_limit": "1GB", "temp_directory": str(work / "tmp")})
    ((stored, distinct),) = con.execute("select count(*), count(distinct event_key) from read_parquet(?)",
                                        [files]).fetchall()
    return stored, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="mmlens-lake-bench-") as tmp:
        work, exports = Path(tmp), Path(tmp) / "exports"
        started = time.perf_counter()
        lines, size = generate(exports / "webhooks", args.events)
        files = len(list((exports / "webhooks").iterdir()))
        print(f"generated {args.events:,} events in {lines:,} lines, {files} files, {size / 1e6:.0f} MB "
              f"({time.perf_counter() - started:.1f} s); cpus {os.cpu_count()}")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        single = _result(_start("single", str(exports), str(work)))
        print(f"single: {single['seconds']:.1f} s  cpu {single['cpu']:.1f} s  peak {single['peak_mb']:.0f} MB  "
              f"rows {single['rows']:,}  {args.events / single['seconds']:,.0f} events/s")
        print(f"load average between: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        (work / "single.duckdb").unlink()
        wall, shards = run_lake(exports, work, args.shards)
        for k, r in enumerate(shards, 1):
            print(f"shard {k}/{args.shards}: {r['shard_seconds']:.1f} s (publish {r['publish_seconds']:.1f} s)  "
                  f"cpu {r['cpu']:.1f} s  peak {r['peak_mb']:.0f} MB  files {r['files']}  rows {r['rows']:,}  "
                  f"commit attempts {sum(a for _, a in r['published'].values())}")
        cpu = sum(r["cpu"] for r in shards)
        print(f"lake ({args.shards} shards at once): {wall:.1f} s  cpu {cpu:.1f} s  "
              f"peak per shard max {max(r['peak_mb'] for r in shards):.0f} MB  {args.events / wall:,.0f} events/s")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"ratio lake/single throughput: {single['seconds'] / wall:.2f}x  cpu {cpu / single['cpu']:.2f}x")
        stored, distinct = lake_distinct_events(work)
        print(f"lake raw.webhook_events: {stored:,} rows stored, {distinct:,} distinct events "
              f"({'equal to' if distinct == single['rows'] else 'NOT equal to'} the single warehouse's {single['rows']:,})")


if __name__ == "__main__":
    main()
