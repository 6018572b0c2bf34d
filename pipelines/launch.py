"""Running jobs through Dagster from the CLI, so every run is recorded in `MMLENS_HOME/dagster`.

The run executes in-process in a worker thread while the main thread shows progress from the
run's events as they are stored. A failed run becomes one line: the user-facing error raised inside
a step (`MmlensError`, for example a rejected token) keeps its message and exit code, and the line
ends with the run id, whose event log (in the Dagster UI) holds the traceback. Dagster's console
logger is kept to CRITICAL, so its STEP_FAILURE lines (a traceback each) are not printed too.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from pathlib import Path

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipelines import dagster_home, report_mail
from pipelines.dagster_home import INSTANCE_CONFIG  # noqa: F401 - where callers and tests find it
from pipelines.run_errors import CLI_RUN_TAG, failure_to_error, first_failed_step
from pipelines.schedules import RANGE_END_TAG, RANGE_START_TAG
from pipelines.settings import Settings

# STEP_FAILURE and "dependencies failed" events are ERROR: the one line below replaces them.
QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
STEP_ENDS = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE)


def prepare_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME under MMLENS_HOME (a user's own dagster.yaml kept, see
    `pipelines.dagster_home`) and point Dagster at it."""
    home = settings.dagster_home.resolve()
    dagster_home.prepare(home)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_partition_range(settings: Settings, job_name: str, start: str, end: str, console: Console,
                        run_config: dict[str, object] | None = None) -> dg.ExecuteInProcessResult:
    """Run `job_name` for partition keys start..end as one run, showing step progress."""
    prepare_dagster_home(settings)
    from pipelines.definitions import defs

    job = defs.resolve_job_def(job_name)
    instance = dg.DagsterInstance.get()
    run_id = str(uuid.uuid4())
    outcome: dict[str, object] = {}

    def execute() -> None:
        try:
            outcome["result"] = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                run_config={**QUIET_LOGGERS, **(run_config or {})},
                tags={RANGE_START_TAG: start, RANGE_END_TAG: end, CLI_RUN_TAG: "run"},
            )
        except BaseException as error:  # surfaced in the main thread below
            outcome["error"] = error

    steps = len(job.nodes_in_topological_order)
    finished: list[str] = []

    def on_event(entry) -> None:
        # Called in the run's thread as each event is stored: no polling of the event log, whose
        # reads would wait on the same database lock as the run's writes.
        event = entry.dagster_event
        if event is not None and event.event_type in STEP_ENDS and event.step_key:
            finished.append(event.step_key)

    instance.add_event_listener(run_id, on_event)
    worker = threading.Thread(target=execute, name="mmlens-run", daemon=True)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed} steps"),
        # Off when stderr is not a terminal: there it would only leave an empty line behind.
        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(f"{job_name} {start}..{end}", total=steps)
        worker.start()
        shown = 0
        while worker.is_alive():
            worker.join(timeout=0.2)
            done = list(finished)
            if len(done) > shown:
                progress.update(task, completed=len(done), description=f"{job_name} {start}..{end}: {done[-1]}")
                shown = len(done)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    result = outcome["result"]
    assert isinstance(result, dg.ExecuteInProcessResult)
    _record_outcome(instance, result, settings)
    if not result.success:
        step = first_failed_step(result.all_events)
        notice = report_mail.deliver_failure_notice(settings, run_id, f"{start}..{end}", step, str(failure_to_error(result)))
        _show(console, notice)
        ui = f"MMLENS_HOME={settings.home.resolve()} make dev"
        raise failure_to_error(result, f" (traceback in the event log of Dagster run {run_id}; UI: {ui})")
    _show(console, report_mail.deliver_report(settings, dt.date.fromisoformat(end)))
    return result


def _show(console: Console, delivery: report_mail.Delivery | None) -> None:
    """One line about the report mail (sent, or why not); nothing when delivery is off."""
    if delivery is not None:
        console.print(delivery.line, markup=False)


def _record_outcome(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult, settings: Settings) -> None:
    """What the run-status sensors do under `dagster dev`, done here for the in-process run."""
    from pipelines import failures, run_failures

    if result.success:
        if result.dagster_run.job_name == "daily_job":
            run_failures.clear_after_success(instance, result.run_id, settings)
        return
    step_failures = [e for e in result.all_events if e.is_step_failure]
    failure = run_failures.failure_of(instance, result.dagster_run, step_failures, "the run failed", settings)
    failures.record(settings.reports_dir, failure)

