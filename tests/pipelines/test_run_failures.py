"""A failed run is recorded where a person sees it: `reports/last_failure.json`, written by the
run-failure sensor (under `dagster dev`) and by `mmlens run` itself, without the token, and
cleared by a later successful daily run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from pipelines import failures, launch
from pipelines.errors import UsageError
from pipelines.resources import MmlensSettings
from pipelines.run_failures import run_failure_recorder
from pipelines.settings import load_settings

TOKEN = "tok-canary-5f1e"


class TokenRejected(UsageError):
    """Stands in for a Graph auth error raised by an asset."""


@dg.asset
def pull_that_fails() -> None:
    raise TokenRejected(f"ad account 123: the access token {TOKEN} was rejected (code 190)\nsecond line")


def _failed_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    result = dg.materialize([pull_that_fails], instance=instance, raise_on_error=False)
    assert not result.success
    return result


NOTICE_START = "The last failed run: __ephemeral_asset_job__ at "
NOTICE_END = (" UTC, step pull_that_fails: ad account 123: the access token [redacted] was rejected (code 190) "
              "(run {run} in the Dagster UI)")


def test_the_run_failure_sensor_records_what_failed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    with dg.instance_for_test() as instance:
        result = _failed_run(instance)
        (event,) = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_recorder", dagster_event=event.dagster_event, dagster_instance=instance,
            dagster_run=result.dagster_run, resources={"settings": MmlensSettings()},
        ).for_run_failure()
        run_failure_recorder(context)
    path = home / "reports" / "last_failure.json"
    body = json.loads(path.read_text())
    assert (body["run_id"], body["job"], body["steps"]) == (result.run_id, "__ephemeral_asset_job__", ["pull_that_fails"])
    assert body["message"] == "ad account 123: the access token [redacted] was rejected (code 190)"
    assert TOKEN not in path.read_text()
    notice = failures.read(home / "reports").notice()
    assert notice.startswith(NOTICE_START) and notice.endswith(NOTICE_END.format(run=result.run_id[:8]))


def test_a_cli_run_records_its_failure_and_a_later_success_clears_it(home: Path) -> None:
    settings = load_settings(env_file=None)
    with dg.instance_for_test() as instance:
        result = _failed_run(instance)
        launch._record_outcome(instance, result, settings)
    recorded = failures.read(settings.reports_dir)
    assert recorded is not None and recorded.steps == ("pull_that_fails",) and recorded.run_id == result.run_id
    assert not failures.clear(settings.reports_dir, recorded.failed_at - dt.timedelta(seconds=1))  # started before it
    assert failures.clear(settings.reports_dir, recorded.failed_at + dt.timedelta(seconds=1))
    assert failures.read(settings.reports_dir) is None


def test_an_unreadable_record_still_shows_a_notice(tmp_path: Path) -> None:
    (tmp_path / "last_failure.json").write_text("{not json")
    assert failures.read(tmp_path).message == "last_failure.json is not readable"


def test_one_line_keeps_the_first_line_and_bounds_it() -> None:
    assert failures.one_line("\n  first  \nsecond") == "first"
    assert failures.one_line("x" * 400) == "x" * 299 + "…"
