"""The instance storage in pipelines/config/dagster.yaml records what Dagster's own SQLite storage
records, with the batches Dagster hands over written in one transaction."""

import collections
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines import dagster_storage, launch

PARTITIONS = dg.DailyPartitionsDefinition(start_date="2026-01-01")
KEYS = ["2026-01-02", "2026-01-03", "2026-01-04"]


@dg.multi_asset(
    specs=[dg.AssetSpec("daily_a"), dg.AssetSpec("daily_b")],
    partitions_def=PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def daily_pair(context: dg.AssetExecutionContext):
    yield dg.MaterializeResult(asset_key="daily_a", metadata={"rows": len(context.partition_keys)})
    yield dg.MaterializeResult(asset_key="daily_b")


@dg.asset(deps=["daily_a"])
def summary() -> None:
    return None


@dg.asset_check(asset=summary)
def summary_ok() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _run(home: Path, config: Path | None) -> dg.DagsterInstance:
    home.mkdir(parents=True)
    if config is not None:
        shutil.copyfile(config, home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    job = dg.Definitions(assets=[daily_pair, summary], asset_checks=[summary_ok]).resolve_implicit_global_asset_job_def()
    tags = {"dagster/asset_partition_range_start": KEYS[0], "dagster/asset_partition_range_end": KEYS[-1]}
    assert job.execute_in_process(instance=instance, tags=tags).success
    return instance


def _recorded(instance: dg.DagsterInstance) -> dict:
    (run,) = instance.get_runs()
    events = instance.all_logs(run.run_id)
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key([dg.AssetCheckKey(dg.AssetKey("summary"), "summary_ok")])
    return {
        "events": collections.Counter(e.dagster_event.event_type_value for e in events if e.dagster_event),
        "partitions": {k: sorted(instance.get_materialized_partitions(dg.AssetKey(k))) for k in ("daily_a", "daily_b")},
        "summary": instance.get_latest_materialization_event(dg.AssetKey("summary")) is not None,
        "check": [c.status.value for c in check.values()],
        "asset_keys": sorted(key.to_user_string() for key in instance.event_log_storage.get_asset_keys()),
    }


@pytest.fixture
def batches(monkeypatch) -> list[list[str]]:
    seen: list[list[str]] = []
    store = dagster_storage.BatchingSqliteEventLogStorage.store_event_batch

    def spy(self, events):
        seen.append([e.dagster_event.event_type_value for e in events])
        return store(self, events)

    monkeypatch.setattr(dagster_storage.BatchingSqliteEventLogStorage, "store_event_batch", spy)
    return seen


def test_the_batching_storage_records_what_dagsters_sqlite_storage_records(tmp_path, monkeypatch, batches) -> None:
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")  # Dagster's default: no batches
    stock = _recorded(_run(tmp_path / "stock", None))
    assert batches == []
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE")  # the storage of dagster.yaml asks for batches itself
    ours_instance = _run(tmp_path / "ours", launch.INSTANCE_CONFIG)
    assert isinstance(ours_instance.event_log_storage, dagster_storage.BatchingSqliteEventLogStorage)
    ours = _recorded(ours_instance)
    assert ours == stock
    assert stock["partitions"] == {"daily_a": KEYS, "daily_b": KEYS}
    assert stock["events"]["ASSET_MATERIALIZATION_PLANNED"] == 7  # 2 assets x 3 partitions, and summary
    assert stock["check"] == ["SUCCEEDED"]
    # the planned events in one batch, then one batch per partitioned output (3 partitions each)
    assert sorted(len(b) for b in batches) == [3, 3, 8]
    assert set(batches[0]) == {"ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"}
    assert all(set(b) == {"ASSET_MATERIALIZATION"} for b in batches[1:])
