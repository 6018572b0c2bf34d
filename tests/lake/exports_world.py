"""Export files for the lake's shard tests: four days of the simulator's exports laid out as two
receivers side by side (days 1-2 under `webhooks/a/`, days 3-4 under `webhooks/b/`) and a send log,
plus a campaign webhook beside an item nobody knows in receiver a's folder, and a file in receiver
b's folder holding POSTs Meta redelivered there (five already in receiver a's first file, and the
campaign webhook) and two lines nobody can read whole. The unknown items and the unreadable lines
are quarantined."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

from pipelines import mart_builds, warehouse
from pipelines.simulator.export import export
from pipelines.simulator.world import World, WorldSize
from pipelines.webhooks.ingest import SENDS, WEBHOOKS, ingest

TODAY = date(2026, 5, 20)
SINCE, UNTIL = TODAY - timedelta(days=4), TODAY - timedelta(days=1)
REDELIVERED_POSTS = 5
REDELIVERED = "webhooks/b/webhooks-b-redelivered.ndjson"
CHANGES = "webhooks/a/webhooks-a-changes.ndjson"
# A campaign webhook (kept in raw.campaign_changes) and an item of a kind nobody knows (item 2, quarantined).
CHANGE_LINE = json.dumps({"object": "page", "entry": [{"id": "140984918491243", "time": 1779000000000, "changes": [
    {"field": "message_campaign", "value": {"id": "124141414124", "status": "PAUSED"}},
    {"field": "feed", "value": {"x": 1}}]}]}).encode()
# Two unreadable lines after the redelivered POSTs and the campaign webhook: lines 7 and 8 of REDELIVERED.
BAD_LINES = [b'{"object": "page", "entry": [', b"not json at all"]


def world() -> World:
    return World(seed=11, size=WorldSize(accounts=2, campaigns_per_account=2, days=10, sends_per_campaign_day=12),
                 today=TODAY)


def lay_out(home: Path) -> Path:
    """Write the exports under `home/exports`; returns that folder."""
    export(world(), home, SINCE, UNTIL)
    exports = home / "exports"
    webhooks = exports / "webhooks"
    for n, path in enumerate(sorted(webhooks.glob("sim-*.ndjson.gz"))):
        receiver = webhooks / ("a" if n < 2 else "b")
        receiver.mkdir(exist_ok=True)
        shutil.move(path, receiver / path.name)
    first = sorted((webhooks / "a").glob("*.ndjson.gz"))[0]
    with gzip.open(first, "rb") as handle:
        posts = handle.read().splitlines()[:REDELIVERED_POSTS]
    (exports / CHANGES).write_bytes(CHANGE_LINE + b"\n")
    (exports / REDELIVERED).write_bytes(b"\n".join([*posts, CHANGE_LINE, *BAD_LINES]) + b"\n")
    return exports


def single_file_warehouse(exports: Path, path: Path) -> Path:
    """The default backend: one DuckDB warehouse ingesting every file, its export marts built."""
    with warehouse.connect(path) as con:
        ingest(con, exports, WEBHOOKS)
        ingest(con, exports, SENDS)
        mart_builds.build_funnel(con, full=True)
        mart_builds.build_error_codes(con, full=True)
        mart_builds.build_responses(con, full=True)
    return path
