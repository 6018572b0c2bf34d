"""Async insights report runs (reference §1.7): rows fixed at submission, progress by elapsed time.

A run takes `seconds` of the server's clock (more for bigger reports); its status moves from
`Job Not Started` through `Job Started` and `Job Running` to its fate (`Job Completed`, or
`Job Failed` / `Job Skipped` when faults are on), however often it is polled. The clock is
injectable (`SimulatorConfig.clock`), so tests advance time instead of sleeping. Bodies carry no
wall-clock value: `time_ref`/`time_completed` come from the world's "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines.simulator.objects import GraphError, parse_fields, project


@dataclass
class ReportRun:
    id: str
    account_id: str
    rows: list[dict]
    fields: tuple[str, ...]  # the insights fields of the submission: what `/<run>/insights` may select
    submitted_at: float
    seconds: float
    fate: str
    time_ref: int
    date_start: str
    date_stop: str
    summary: dict | None = None
    clock: Callable[[], float] = field(default=lambda: 0.0, repr=False)

    def progress(self) -> float:
        if self.seconds <= 0:
            return 1.0
        return max(0.0, min(1.0, (self.clock() - self.submitted_at) / self.seconds))

    def status(self, version: tuple[int, int], fields_spec: str | None = None) -> dict:
        share = self.progress()
        body = {"id": self.id, "account_id": self.account_id, "time_ref": self.time_ref}
        if share < 0.1:
            state, percent = "Job Not Started", 0
        elif share < 0.25:
            state, percent = "Job Started", int(share * 100)
        elif share < 1.0:
            state, percent = "Job Running", min(99, int(share * 100))
        elif self.fate == "failed":
            state, percent = "Job Failed", 50
        elif self.fate == "skipped":
            state, percent = "Job Skipped", 0
        else:
            state, percent = "Job Completed", 100
            body["time_completed"] = self.time_ref + max(1, round(self.seconds))
        body.update(
            async_status=state,
            async_percent_completion=percent,
            date_start=self.date_start,
            date_stop=self.date_stop,
            is_running=state in ("Job Not Started", "Job Started", "Job Running"),
        )
        if state == "Job Failed" and version >= (25, 0):
            body.update(
                error_code=-2,
                error_subcode=2490547,
                error_message="Report failed",
                error_user_title="Report failed",
                error_user_msg="The report could not be completed. Please try again later.",
            )
        fields = parse_fields(fields_spec)
        return project(body, fields, "AdReportRun", strict=False) if fields else body

    @property
    def completed(self) -> bool:
        return self.fate == "completed" and self.progress() >= 1.0

    def select(self, fields_spec: str | None) -> list[dict]:
        """The rows with only the requested insights fields (dates always); 100 for a field not submitted."""
        wanted = [f.strip() for f in (fields_spec or "").split(",") if f.strip()]
        if not wanted:
            return self.rows
        missing = [name for name in wanted if name not in self.fields and name not in ("date_start", "date_stop")]
        if missing:
            raise GraphError(100, f"(#100) {missing[0]} was not requested when report run {self.id} was submitted")
        keep = set(wanted) | {"date_start", "date_stop"}
        return [{k: v for k, v in row.items() if k in keep or k not in self.fields} for row in self.rows]
