"""The backfill's Dagster instance settings: the user's, with the run queue set for the backfill."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.backfill_instance import backfill_config, prepare_backfill_home


def test_the_run_queue_admits_the_parallel_runs_and_the_users_other_settings_stay() -> None:
    user = {"concurrency": {"pools": {"default_limit": 1}}, "telemetry": {"enabled": False},
            "run_queue": {"max_concurrent_runs": 25}, "storage": {"sqlite": {"base_dir": "/elsewhere"}}}
    assert backfill_config(user, 4) == {
        "concurrency": {"pools": {"default_limit": 1}, "runs": {"max_concurrent_runs": 4}},
        "telemetry": {"enabled": False},
        "run_queue": {"dequeue_interval_seconds": 1, "dequeue_use_threads": True, "dequeue_num_workers": 4},
    }
    assert user["concurrency"] == {"pools": {"default_limit": 1}}  # the user's settings are not changed


def test_fewer_than_one_run_at_once_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        backfill_config({}, 0)


def test_the_file_is_rewritten_for_each_backfill(tmp_path: Path) -> None:
    main = tmp_path / "dagster"
    main.mkdir()
    (main / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: 1\n", encoding="utf-8")
    home = tmp_path / "dagster-backfill"
    prepare_backfill_home(home, main, 2)
    prepare_backfill_home(home, main, 3)
    written = yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8"))
    assert written["concurrency"]["runs"] == {"max_concurrent_runs": 3}
