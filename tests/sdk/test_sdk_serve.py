"""The measurement of issue 13, repeated on `mmlens simulator serve` itself: Meta's SDK reads every
daily row of an async last_90d report through its cursor (default page size), none lost."""

from __future__ import annotations

import signal
import subprocess
import sys

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.api import FacebookAdsApi

from tests.sdk.conftest import SEED, SIZE, VERSION
from tests.sdk.test_sdk_insights import DAILY, FIELDS
from tests.sdk.truth_rows import expected_days, read_days

ARGS = ["simulator", "serve", "--port", "0", "--seed", str(SEED), "--today", "2026-06-17",
        "--accounts", str(SIZE.accounts), "--campaigns", str(SIZE.campaigns_per_account), "--days", str(SIZE.days),
        "--sends", str(SIZE.sends_per_campaign_day), "--job-seconds", "0", "--access-token", "serve-token"]


def test_sdk_cursor_reads_every_row_from_a_default_serve(world) -> None:
    process = subprocess.Popen([sys.executable, "-m", "pipelines.cli", *ARGS], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        api = FacebookAdsApi.init(access_token="serve-token", api_version=VERSION, crash_log=False)
        api._session.GRAPH = url
        account = world.accounts[0]
        job = AdAccount(f"act_{account.account_id}", api=api).get_insights(fields=FIELDS, params=DAILY, is_async=True)
        job.api_get()
        assert job[AdReportRun.Field.async_status] == "Job Completed"
        rows = list(job.get_result())  # the SDK's default page size: many pages
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    expected = expected_days(world, account.account_id)
    assert len(rows) == len(expected) > 250
    assert read_days(rows) == expected
