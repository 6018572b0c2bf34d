"""A failed Dagster run as the one error its user should see: the first step failure's own mmlens
error (its class, so its exit code, and its first line) found in the run's events. Used by the
CLI's in-process runs (`launch.py`) and by the run-status sensors alike; knows nothing of how a
run is launched."""

from __future__ import annotations

import dagster as dg

from pipelines.errors import MmlensError

# Runs started by `mmlens run` / `mmlens demo` carry this tag: the sensors leave them to the CLI.
CLI_RUN_TAG = "mmlens/cli"


def _error_classes() -> dict[str, type[MmlensError]]:
    found: dict[str, type[MmlensError]] = {}
    pending: list[type[MmlensError]] = [MmlensError]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def failure_to_error(result: dg.ExecuteInProcessResult, where: str = "") -> MmlensError:
    """The first step failure of a run, as the error the user should see; `where` is appended."""
    return error_from_events(result.all_events, where)


def first_failed_step(events) -> str | None:
    """The step key of the first step failure among a run's events."""
    return next((event.step_key for event in events if event.is_step_failure), None)


def error_from_events(events, where: str = "") -> MmlensError:
    """The first step failure among a run's events, as the error the user should see; `where` is appended."""
    known = _error_classes()
    for event in events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        chain = []
        while error is not None:
            chain.append(error)
            error = error.cause
        for info in chain:
            cls = known.get(info.cls_name or "")
            if cls is not None:
                message = info.message.strip().split(": ", 1)[-1].splitlines()[0]
                return cls(message + where) if issubclass(cls, MmlensError) else MmlensError(message + where)
        last = chain[-1]
        first_line = last.message.strip().splitlines()[0] if last.message.strip() else last.cls_name
        return MmlensError(f"step {event.step_key} failed: {first_line}{where}")
    return MmlensError(f"the run failed{where or ' (see the Dagster UI for details)'}")
