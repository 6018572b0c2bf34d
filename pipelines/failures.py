"""The last failed run, kept where a person sees it: `MMLENS_HOME/reports/last_failure.json`,
whose notice the report's header shows. Written by the run-failure sensor (under `dagster dev`)
and by `mmlens run`/`mmlens demo`; removed when a daily run that started after it succeeds.

Plain Python: the callers turn Dagster's run and events into a `RunFailure`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path

FILE_NAME = "last_failure.json"
# One line in the header; Dagster keeps the whole error.
MAX_MESSAGE_CHARS = 300


@dataclasses.dataclass(frozen=True)
class RunFailure:
    """What failed: the run, its job, when (UTC), the failed steps and the first error line."""

    run_id: str
    job: str
    failed_at: dt.datetime
    steps: tuple[str, ...]
    message: str

    def notice(self) -> str:
        """The one line the report's header shows."""
        where = f"step {', '.join(self.steps)}" if self.steps else "the run"
        return (f"The last failed run: {self.job} at {self.failed_at:%Y-%m-%d %H:%M} UTC, {where}: {self.message} "
                f"(run {self.run_id[:8]} in the Dagster UI)")


def one_line(message: str, secrets: Iterable[str | None] = ()) -> str:
    """The first non-empty line of an error, without any secret's value, at most 300 characters."""
    line = next((part.strip() for part in message.splitlines() if part.strip()), "no message")
    for secret in secrets:
        if secret:
            line = line.replace(secret, "[redacted]")
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


def record(reports_dir: Path, failure: RunFailure) -> Path:
    """Write the failure atomically (a sibling file renamed over the previous one)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / FILE_NAME
    body = {**dataclasses.asdict(failure), "failed_at": failure.failed_at.isoformat(), "steps": list(failure.steps)}
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(reports_dir: Path) -> RunFailure | None:
    """The recorded failure, or None; a file that is not one reads as a failure saying so."""
    path = reports_dir / FILE_NAME
    if not path.is_file():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return RunFailure(run_id=str(body["run_id"]), job=str(body["job"]),
                          failed_at=dt.datetime.fromisoformat(body["failed_at"]),
                          steps=tuple(str(s) for s in body["steps"]), message=str(body["message"]))
    except (ValueError, KeyError, TypeError):
        return RunFailure(run_id="unknown", job="unknown", failed_at=dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC),
                          steps=(), message=f"{FILE_NAME} is not readable")


def clear(reports_dir: Path, succeeded_run_started: dt.datetime) -> bool:
    """Remove the record of a failure that happened before a successful run started."""
    failure = read(reports_dir)
    if failure is None or failure.failed_at > succeeded_run_started:
        return False
    (reports_dir / FILE_NAME).unlink(missing_ok=True)
    return True
