"""The Dagster instance `mmlens backfill` uses: `MMLENS_HOME/dagster-backfill`, its own DAGSTER_HOME.

Its `dagster.yaml` is written on every backfill from the one mmlens keeps in `MMLENS_HOME/dagster`
(a user's settings there — compute logs, telemetry, retention — kept), with the run queue set for
this backfill: `concurrency: runs: max_concurrent_runs: N` (Dagster's QueuedRunCoordinator, the
default run coordinator, launches at most N runs at once) and the queue read every second. Its
own storage, so the daemon started for the backfill never meets the daemon of a `make dev` on the
same `MMLENS_HOME` (two daemons reading one queue would each launch up to their own limit).
Nothing here imports Dagster."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

BACKFILL_HOME = "dagster-backfill"
DEQUEUE_SECONDS = 1
# Run queue settings of the user's file that would conflict with this backfill's.
REPLACED = ("run_coordinator", "run_queue", "storage", "run_storage", "event_log_storage", "schedule_storage")


def backfill_config(user_config: dict, parallel: int) -> dict:
    """The backfill instance's settings: the user's, with the run queue limited to `parallel` runs."""
    if parallel < 1:
        raise ValueError("parallel runs must be at least 1")
    config = {k: copy.deepcopy(v) for k, v in user_config.items() if k not in REPLACED}
    concurrency = dict(config.get("concurrency") or {})
    concurrency["runs"] = {"max_concurrent_runs": parallel}
    config["concurrency"] = concurrency
    # Launching a run waits until its new process has loaded the code location (Dagster's code server
    # answers StartRun only then, some 3 to 5 s here): one launch at a time kept about two runs going
    # whatever the limit, so the daemon launches with one thread per run slot.
    config["run_queue"] = {"dequeue_interval_seconds": DEQUEUE_SECONDS, "dequeue_use_threads": True,
                           "dequeue_num_workers": parallel}
    return config


def prepare_backfill_home(home: Path, main_dagster_home: Path, parallel: int) -> Path:
    """Write `home/dagster.yaml` for a backfill of `parallel` runs at once; returns `home`."""
    home.mkdir(parents=True, exist_ok=True)
    user = yaml.safe_load((main_dagster_home / "dagster.yaml").read_text(encoding="utf-8")) or {}
    text = ("# Written by `mmlens backfill` on every backfill (edit MMLENS_HOME/dagster/dagster.yaml instead).\n"
            + yaml.safe_dump(backfill_config(user, parallel), sort_keys=False))
    (home / "dagster.yaml").write_text(text, encoding="utf-8")
    return home
