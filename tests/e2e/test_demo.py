"""`mmlens demo`, the README's first command, end to end in a fresh MMLENS_HOME: it prints the report
path and the analyst snapshot, the report is a complete page whose headline figures are the
snapshot's, `mmlens sql` answers on the snapshot, and the run is recorded in DAGSTER_HOME."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import dagster as dg
import pytest

from tests.e2e.helpers import mmlens

pytestmark = pytest.mark.e2e

DAYS = 3
# The demo world (seed 7, two accounts of six campaigns) is laid out relative to its today, so over
# the last 3 days each account has, by campaign life shape: ongoing 3, ended-lifetime restarted two
# days ago 2, mid-history start 2, long lifetime 3, paused yesterday 1, recent short run 3 = 14.
EXPECTED_CAMPAIGN_DAYS = 2 * 14
SECTIONS = ("headlines", "trends", "roas", "funnel", "errors", "estimates", "conversions", "campaigns")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, set[dt.date]]:
    home = tmp_path_factory.mktemp("demo") / "home"
    before = dt.datetime.now(dt.timezone.utc).date()
    done = mmlens("demo", "--days", str(DAYS), env={"MMLENS_HOME": str(home)})
    after = dt.datetime.now(dt.timezone.utc).date()
    assert done.returncode == 0, done.stderr[-3000:]
    return home, done.stdout, {before, after}  # the demo's today is one of these (a run can span midnight)


def printed(stdout: str, label: str) -> Path:
    found = re.findall(rf"^{label}: (.+)$", stdout, flags=re.MULTILINE)
    assert len(found) == 1, stdout
    return Path(found[0])


def sql_json(home: Path, query: str) -> list[dict]:
    done = mmlens("sql", query, "--format", "json", env={"MMLENS_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_printed_report_is_a_complete_page(demo) -> None:
    home, stdout, todays = demo
    report = printed(stdout, "report")
    assert report == (home / "reports" / "latest.html").resolve()
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert html.rstrip().endswith("</body>\n</html>")
    for key in SECTIONS:
        assert html.count(f'<section class="card" id="{key}">') == 1, key
    assert "<h2>Headline figures</h2>" in html
    # latest.html is a copy of the dated report for the last demo day (yesterday in UTC).
    dated = [home / "reports" / f"{today - dt.timedelta(days=1)}.html" for today in todays]
    assert any(path.is_file() and path.read_bytes() == report.read_bytes() for path in dated)


def test_the_headline_figures_are_the_snapshot_totals(demo) -> None:
    home, stdout, _ = demo
    html = printed(stdout, "report").read_text(encoding="utf-8")
    data = re.search(r'data-target="chart-headlines">(.*?)</script>', html, flags=re.DOTALL)
    assert data is not None
    cards = {trace["name"]: trace["value"] for trace in json.loads(data.group(1))["data"]}
    # Every demo day is inside the headline's 7 days, so each card is the whole mart's total.
    totals = sql_json(home, "select currency, sum(spend) as spend, sum(delivered) as delivered, "
                            "sum(link_clicks) as clicks from marts.campaign_daily group by currency order by currency")
    assert [row["currency"] for row in totals] == ["JPY", "USD"]
    for row in totals:
        currency = row["currency"]
        assert cards[f"Spend ({currency})"] == float(row["spend"])
        assert cards[f"Delivered ({currency})"] == row["delivered"]
        assert cards[f"Link clicks ({currency})"] == row["clicks"]
        assert row["delivered"] > 0


def test_the_printed_snapshot_answers_sql(demo) -> None:
    home, stdout, _ = demo
    assert printed(stdout, "analyst snapshot") == (home / "analytics.duckdb").resolve()
    done = mmlens("sql", "select count(*) from marts.campaign_daily", "--format", "csv", env={"MMLENS_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["count_star()", str(EXPECTED_CAMPAIGN_DAYS)]
    days = sql_json(home, "select count(distinct date) as days from marts.campaign_daily")
    assert days == [{"days": DAYS}]


def test_the_run_is_recorded_in_dagster_home(demo) -> None:
    home, stdout, todays = demo
    assert f"open the Dagster UI: MMLENS_HOME={home.resolve()} make dev" in stdout
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        runs = instance.get_runs()
        assert [run.job_name for run in runs] == ["daily_job"]
        assert runs[0].status == dg.DagsterRunStatus.SUCCESS
        ranges = {((t - dt.timedelta(days=DAYS)).isoformat(), (t - dt.timedelta(days=1)).isoformat()) for t in todays}
        tags = runs[0].tags
        assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) in ranges
    finally:
        instance.dispose()
