"""The code location loads with placeholder settings, through Dagster's own validator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = dict(os.environ, META_ACCESS_TOKEN="placeholder", META_AD_ACCOUNT_IDS="act_1",
               DAGSTER_HOME=str(tmp_path), MMLENS_HOME=str(tmp_path / "home"))
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_help_lists_the_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "--help"], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0
    for command in ("demo", "run", "sql", "simulator", "webhooks"):
        assert command in done.stdout


import pytest  # noqa: E402


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--bogus"), "No such option: --bogus"),
        (("demo", "--days", "0"), "mmlens: --days: 0 is out of range (1 to 365)"),
        (("sql",), "mmlens: sql: give a query, or run `mmlens sql` in a terminal"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 2
    assert message in done.stderr


def test_every_asset_has_group_description_and_kinds() -> None:
    """What the Dagster UI shows: every asset is grouped, described (grain and source) and kinded."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert len(keys) >= 13
    for key in keys:
        node = graph.get(key)
        assert node.group_name and node.group_name != "default", key
        assert node.description and len(node.description) > 40, key
        assert node.kinds, key
        assert node.owners == ["team:mmlens"], key
        assert node.code_version == "1", key
        assert node.tags["layer"] in {"raw", "mart", "report", "publish"} and node.tags["source"], key
        assert node.metadata["dagster/code_references"].code_references, key
        if key.path[0] in {"raw", "marts"}:
            assert node.metadata["dagster/table_name"] == ".".join(key.path), key
            assert node.metadata["dagster/column_schema"].columns, key
    job_names = {job.name for job in defs.resolve_all_job_defs()}
    assert {"daily_job", "ingest_exports_job"} <= job_names
    assert {s.name for s in defs.schedules} == {"daily_schedule"}
    assert {s.name for s in defs.sensors} == {"exports_sensor", "report_mail_sensor", "report_failure_mail_sensor",
                                          "run_failure_recorder", "run_success_clears_failure"}
    checks = graph.asset_check_keys
    assert len(checks) >= 10


def test_mart_column_schemas_are_the_warehouse_contract_with_every_column_described() -> None:
    """The design's warehouse contract, column by column, as the UI shows it (types from the
    migrations, meanings from the analysts' page)."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    schema = graph.get(dg_key("marts", "campaign_daily")).metadata["dagster/column_schema"]
    assert [(c.name, c.type) for c in schema.columns] == [
        ("ad_account_id", "varchar"), ("message_campaign_id", "varchar"), ("campaign_name", "varchar"),
        ("page_id", "varchar"), ("date", "date"), ("currency", "varchar"), ("spend", "decimal(18,4)"),
        ("delivered", "bigint"), ("reads", "bigint"), ("link_clicks", "bigint"), ("read_rate", "decimal(18,6)"),
        ("delivery_rate", "decimal(18,6)"), ("purchases", "decimal(18,4)"), ("purchase_value", "decimal(18,4)"),
        ("roas", "decimal(18,6)"), ("api_roas", "decimal(18,6)")]
    by_name = {c.name: c.description for c in schema.columns}
    assert by_name["roas"] == "purchase_value / spend; NULL when spend is 0. Over a range: ratio of sums, never an average."
    for mart in ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates",
                 "responses_daily"):
        columns = graph.get(dg_key("marts", mart)).metadata["dagster/column_schema"].columns
        assert [c.name for c in columns if not c.description] == [], mart


def dg_key(*path: str):
    import dagster as dg

    return dg.AssetKey(list(path))
