"""The Dagster UI as the team uses it: `dagster dev -w workspace.yaml` on loopback; through its
GraphQL API we launch the daily job for one partition against the simulator, wait for success,
and find the asset checks' results and the report's path in the run's events."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipelines.launch import INSTANCE_CONFIG
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.conftest import REPO_ROOT

TODAY = dt.date(2026, 11, 20)
PARTITION = "2026-11-19"
TOKEN = "ui-test-token"

# The asset checks of daily_job, written out from the definitions' check decorators.
DAILY_JOB_CHECKS = [
    (("marts", "campaign_daily"), "grain_unique"),
    (("marts", "campaign_daily"), "non_negative"),
    (("marts", "campaign_daily"), "roas_matches_meta"),
    (("marts", "campaign_daily"), "webhook_delivered_matches_insights"),
    (("marts", "conversions_daily"), "grain_unique"),
    (("marts", "conversions_daily"), "non_negative"),
    (("marts", "delivery_estimates"), "grain_unique"),
    (("marts", "delivery_estimates"), "non_negative"),
    (("marts", "delivery_funnel_daily"), "funnel_monotone"),
    (("marts", "delivery_funnel_daily"), "grain_unique"),
    (("marts", "delivery_funnel_daily"), "non_negative"),
    (("marts", "error_codes_daily"), "grain_unique"),
    (("marts", "error_codes_daily"), "non_negative"),
    (("marts", "responses_daily"), "every_tap_counted"),
    (("marts", "responses_daily"), "grain_unique"),
    (("marts", "responses_daily"), "non_negative"),
    (("raw", "send_attempts"), "events_accounted_for"),
    (("raw", "webhook_events"), "events_accounted_for"),
]

LOCATIONS = "query { workspaceOrError { __typename ... on Workspace { locationEntries { name } } } }"
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}"""
STATUS = "query Status($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"
EVENTS = """
query Events($id: ID!, $cursor: String) {
  logsForRun(runId: $id, afterCursor: $cursor, limit: 1000) {
    __typename
    ... on EventConnection {
      cursor hasMore
      events {
        __typename
        ... on AssetCheckEvaluationEvent { evaluation { checkName success assetKey { path } } }
        ... on MaterializationEvent {
          assetKey { path }
          metadataEntries { label __typename ... on PathMetadataEntry { path } }
        }
      }
    }
  }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, query: str, **variables: object) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def dagster_ui(tmp_path: Path):
    world = World(seed=5, size=WorldSize(accounts=2, campaigns_per_account=2, days=5, sends_per_campaign_day=10), today=TODAY)
    with running_simulator(seed=5, world=world, today=TODAY, access_token=TOKEN) as graph_url:
        dagster_home = tmp_path / "home" / "dagster"
        dagster_home.mkdir(parents=True)
        shutil.copyfile(INSTANCE_CONFIG, dagster_home / "dagster.yaml")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
        env.update({
            "DAGSTER_HOME": str(dagster_home), "MMLENS_HOME": str(tmp_path / "home"),
            "META_GRAPH_URL": graph_url, "META_ACCESS_TOKEN": TOKEN,
            "META_AD_ACCOUNT_IDS": ",".join(a.account_id for a in world.accounts),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        })
        port = free_port()
        log = (tmp_path / "dagster-dev.log").open("wb")
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster")), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                assert process.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
                try:
                    if httpx.get(f"{url}/server_info", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the Dagster UI did not start"
                time.sleep(0.5)
            yield url, tmp_path / "home"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()


def test_launch_daily_job_from_the_ui_api(dagster_ui) -> None:
    url, home = dagster_ui
    locations = graphql(url, LOCATIONS)["workspaceOrError"]["locationEntries"]
    assert [entry["name"] for entry in locations] == ["pipelines.definitions"]

    params = {
        "selector": {"repositoryLocationName": "pipelines.definitions", "repositoryName": "__repository__", "jobName": "daily_job"},
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
    }
    launched = graphql(url, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + 600
    status = None
    while time.monotonic() < deadline:
        status = graphql(url, STATUS, id=run_id)["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    assert status == "SUCCESS"

    events, cursor = [], None
    while True:
        page = graphql(url, EVENTS, id=run_id, cursor=cursor)["logsForRun"]
        events += page["events"]
        cursor = page["cursor"]
        if not page["hasMore"]:
            break
    checks = {(tuple(e["evaluation"]["assetKey"]["path"]), e["evaluation"]["checkName"]): e["evaluation"]["success"]
              for e in events if e["__typename"] == "AssetCheckEvaluationEvent"}
    # Every check of daily_job's assets ran once, and on the simulator's consistent world each passed.
    assert checks == {check: True for check in DAILY_JOB_CHECKS}, checks
    report_paths = [
        entry["path"]
        for e in events if e["__typename"] == "MaterializationEvent" and e["assetKey"]["path"] == ["reports", "daily_report"]
        for entry in e["metadataEntries"] if entry["label"] == "path"
    ]
    assert report_paths == [str(home / "reports" / f"{PARTITION}.html")]
    assert Path(report_paths[0]).is_file()
