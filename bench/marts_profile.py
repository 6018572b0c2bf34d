"""Where a full funnel rebuild spends its time: wall and CPU seconds per phase, beside the SQL funnel.

Runs on a warehouse the mart benchmark left behind (`bench/marts_rebuild.py --dir DIR` keeps
DIR/warehouse.duckdb), so no data is generated: each repeat rebuilds marts.delivery_funnel_daily
with mmlens (the reads, the polars transform and its attribution, the write, timed separately) and
then the same funnel as DuckDB SQL. CPU seconds (the process's, all threads) are the steadier
figure on a loaded machine, where wall time mostly measures the other work running.
Usage: .venv/bin/python bench/marts_profile.py DIR/warehouse.duckdb [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marts_rebuild import SQL_MARTS  # noqa: E402

from pipelines import funnel_build, mart_builds, warehouse  # noqa: E402
from pipelines.transforms import funnel  # noqa: E402

# Phases overlap: "attribution" (the polars as-of and tracking-id lookups of the events read whole)
# and "per send" (linked events numbered, each send's highest stage) are parts of "transform".
PHASES = {"read": (funnel_build, "read_query"), "transform": (funnel_build, "delivery_funnel_daily"),
          "attribution": (funnel, "_links"), "per send": (funnel, "_send_stages"),
          "write": (funnel_build, "write_window")}


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _timed(totals: dict[str, list[float]], phase: str, call: Callable) -> Callable:
    def run(*args: object, **kwargs: object) -> object:
        wall, cpu = _clock()
        try:
            return call(*args, **kwargs)
        finally:
            totals[phase][0] += time.perf_counter() - wall
            totals[phase][1] += time.process_time() - cpu
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    totals: dict[str, list[float]] = {}
    for phase, (module, name) in PHASES.items():
        setattr(module, name, _timed(totals, phase, getattr(module, name)))
    with warehouse.connect(args.warehouse) as con:
        for _ in range(args.repeat):
            totals.update({phase: [0.0, 0.0] for phase in PHASES})
            wall, cpu = _clock()
            mart_builds.build_funnel(con, full=True)
            ours = time.perf_counter() - wall, time.process_time() - cpu
            wall, cpu = _clock()
            con.execute("begin transaction")
            con.execute("delete from bench_sql.delivery_funnel_daily")
            con.execute(SQL_MARTS["delivery_funnel_daily"])
            con.execute("commit")
            sql = time.perf_counter() - wall, time.process_time() - cpu
            phases = ", ".join(f"{phase} {w:.2f}/{c:.2f}" for phase, (w, c) in totals.items())
            print(f"funnel wall/CPU s: mmlens {ours[0]:.2f}/{ours[1]:.2f} ({phases}); SQL {sql[0]:.2f}/{sql[1]:.2f}; "
                  f"ratio wall {ours[0] / sql[0]:.2f}, CPU {ours[1] / sql[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
