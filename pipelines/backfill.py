"""`mmlens backfill`: lake mode's `account_job` for every configured ad account over a date range,
one run per account, through Dagster's run queue with N runs at once.

The accounts are added to the `ad_account` dynamic partitions, one run per account is created with
the partition range `<account>|<since>`..`<account>|<until>` and submitted to the queue; a
`dagster-daemon` started for the backfill (code location `pipelines.account_definitions`, no
schedules or sensors) launches them, at most N at a time, each in its own process (Dagster's
DefaultRunLauncher). The main thread shows progress from the run storage until every run has
ended, then stops the daemon. Each run paces its Graph calls on Meta's usage headers, which report
the app's usage to every caller, so parallel runs slow down together (pipelines/graph/throttle.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines import dagster_home
from pipelines.backfill_instance import BACKFILL_HOME, prepare_backfill_home
from pipelines.errors import MmlensError
from pipelines.partitions import ACCOUNT_DIMENSION, account_range_keys
from pipelines.settings import Settings

LOCATION_MODULE = "pipelines.account_definitions"
JOB_NAME = "account_job"
BACKFILL_TAG = "mmlens/backfill"
ACCOUNT_TAG = "mmlens/ad_account"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
ENDED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
DAEMON_STOP_SECONDS = 30
PLANNED_SUBSET_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


class BackfillError(MmlensError):
    """Some runs of the backfill failed, or the daemon stopped before they ended."""


@dataclass(frozen=True)
class BackfillResult:
    backfill_id: str
    run_ids: dict[str, str]  # ad account -> run id
    seconds: float


@contextlib.contextmanager
def _daemon(home: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster-daemon run` for the backfill instance, in its own process group (it starts a code
    server, which starts the runs), stopped with all of them at the end."""
    log = (home / "daemon.log").open("ab")
    daemon = Path(sys.executable).with_name("dagster-daemon")
    process = subprocess.Popen([str(daemon), "run", "-m", LOCATION_MODULE], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "DAGSTER_HOME": str(home)}, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=DAEMON_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _submit(instance: dg.DagsterInstance, accounts: Sequence[str], since: date, until: date,
            backfill_id: str) -> dict[str, str]:
    """One queued run of account_job per account; returns their run ids by account."""
    # Dagster's own launch path (what `dagster job launch` does), with the workspace loaded once.
    from dagster import __version__
    from dagster._cli.job import _create_run
    from dagster._cli.workspace.cli_target import (  # WorkspaceOpts: dagster_shared's, as dagster's CLI imports it
        WorkspaceOpts,
        get_code_location_from_workspace,
        get_remote_job_from_remote_repo,
        get_remote_repository_from_code_location,
        get_workspace_from_cli_opts,
    )

    opts = WorkspaceOpts(module_name=(LOCATION_MODULE,))
    run_ids: dict[str, str] = {}
    with get_workspace_from_cli_opts(instance, version=__version__, workspace_opts=opts, allow_in_process=True) as workspace:
        location = get_code_location_from_workspace(workspace, None)
        repo = get_remote_repository_from_code_location(location, None)
        job = get_remote_job_from_remote_repo(repo, JOB_NAME)
        for account in accounts:
            start, end = account_range_keys(account, since, until)
            tags = {BACKFILL_TAG: backfill_id, ACCOUNT_TAG: account, RANGE_START_TAG: start, RANGE_END_TAG: end}
            run = _create_run(instance=instance, code_location=location, remote_repo=repo, remote_job=job,
                              run_config={}, tags=tags, op_selection=None, run_id=None)
            instance.submit_run(run.run_id, workspace)
            run_ids[account] = run.run_id
    return run_ids


def _watch(instance: dg.DagsterInstance, run_ids: dict[str, str], daemon: subprocess.Popen[bytes],
           home: Path, console: Console, label: str) -> dict[str, dg.DagsterRunStatus]:
    """Progress until every run has ended; their statuses by run id."""
    ids = list(run_ids.values())
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} runs"),
                  TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=len(ids))
        while True:
            statuses = {r.run_id: r.status for r in instance.get_runs(dg.RunsFilter(run_ids=ids))}
            done = sum(1 for s in statuses.values() if s in ENDED)
            running = sum(1 for s in statuses.values() if s in (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED))
            progress.update(task, completed=done, description=f"{label}: {running} running")
            if done == len(ids):
                return statuses
            if daemon.poll() is not None:
                raise BackfillError(f"backfill: the Dagster daemon stopped (exit {daemon.returncode}) with "
                                    f"{len(ids) - done} run(s) not ended; its log: {home / 'daemon.log'}")
            time.sleep(0.5)


def run_backfill(settings: Settings, since: date, until: date, parallel: int, console: Console) -> BackfillResult:
    """Every configured account's since..until as one run each, `parallel` at a time."""
    main_home = settings.dagster_home.resolve()
    dagster_home.prepare(main_home)
    home = prepare_backfill_home(settings.home.resolve() / BACKFILL_HOME, main_home, parallel)
    os.environ["DAGSTER_HOME"] = str(home)
    # One "materialization planned" event per run for its whole partition range instead of one per
    # partition: each is a commit to Dagster's event log, about 0.1 s on SQLite, so a 90-day run
    # took some 9 s to create and the queue starved. Dagster's caveat: a failed run's partitions are
    # then shown as missing rather than failed; this command reports the failed runs itself.
    os.environ[PLANNED_SUBSET_ENV] = "true"
    accounts = list(settings.ad_account_ids)
    backfill_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    with dg.DagsterInstance.get() as instance, _daemon(home) as daemon:
        known = set(instance.get_dynamic_partitions(ACCOUNT_DIMENSION))
        instance.add_dynamic_partitions(ACCOUNT_DIMENSION, [a for a in accounts if a not in known])
        run_ids = _submit(instance, accounts, since, until, backfill_id)
        label = f"backfill {backfill_id} {since}..{until}, {len(accounts)} account(s), {parallel} at a time"
        statuses = _watch(instance, run_ids, daemon, home, console, label)
    failed = [(account, run_id) for account, run_id in run_ids.items() if statuses[run_id] != dg.DagsterRunStatus.SUCCESS]
    if failed:
        shown = ", ".join(f"act_{a} (run {r})" for a, r in failed[:5]) + (" …" if len(failed) > 5 else "")
        raise BackfillError(f"backfill {backfill_id}: {len(failed)} of {len(run_ids)} run(s) failed: {shown}; "
                            f"their event logs: DAGSTER_HOME={home} dagster dev -m {LOCATION_MODULE}")
    return BackfillResult(backfill_id, run_ids, time.monotonic() - started)
