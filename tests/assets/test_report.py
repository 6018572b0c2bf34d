"""The report asset end to end on a temporary warehouse: marts in DuckDB -> the dated page and
latest.html under MMLENS_HOME/reports, with the path and a headline preview in the metadata."""

import dataclasses
import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl

from assets.report import daily_report
from pipelines import warehouse
from pipelines.resources import build_resources
from reports.frames import ReportFrames
from reports.sample import sample_frames

RUN = dt.date(2026, 11, 25)

# Columns the marts require that the report does not read: filled so inserts satisfy NOT NULL.
EXTRA = {
    "delivery_funnel_daily": {"unattributed_events": pl.lit(0, pl.Int64)},
    "delivery_estimates": {"actual_days": pl.lit(1, pl.Int64)},
    "responses_daily": {"attributed": pl.col("message_campaign_id").is_not_null()},
}


def seed_marts(path: Path, frames: ReportFrames) -> None:
    """Insert the frames by explicit column names (creating a table only if no migration did)."""
    with warehouse.connect(path) as con:
        con.execute("create schema if not exists marts")
        for name in ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates",
                     "responses_daily"):
            frame = getattr(frames, name).with_columns(**EXTRA.get(name, {}))
            if name == "delivery_estimates":
                frame = frame.rename({"date": "snapshot_date"})
            con.register("seed", frame)
            con.execute(f"create table if not exists marts.{name} as select * from seed limit 0")
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            con.execute(f"insert into marts.{name} ({columns}) select {columns} from seed")
            con.unregister("seed")


def test_daily_report_renders_from_the_warehouse(home: Path):
    frames = sample_frames(RUN, days=40, campaigns=4)
    # The run on the day after takes a fresh estimate whose day is not known yet: it is shown.
    forecast = frames.delivery_estimates.tail(1).with_columns(
        pl.lit(RUN + dt.timedelta(days=1)).alias("date"),
        pl.lit(None, pl.Int64).alias("actual_delivered"),
        pl.lit(None, pl.Decimal(18, 4)).alias("actual_spend"),
    )
    seed_marts(home / "warehouse.duckdb", dataclasses.replace(frames, delivery_estimates=pl.concat([frames.delivery_estimates, forecast])))
    result = dg.materialize([daily_report], resources=build_resources(home=str(home)), partition_key=RUN.isoformat())
    assert result.success
    (materialization,) = result.asset_materializations_for_node("reports__daily_report")
    metadata = materialization.metadata
    path = Path(metadata["path"].value)
    assert path == home / "reports" / "2026-11-25.html"
    assert (home / "reports" / "latest.html").read_bytes() == path.read_bytes()
    assert metadata["dagster/row_count"].value == 4
    assert metadata["size_bytes"].value == path.stat().st_size
    preview = metadata["preview"].value
    assert [c.name for c in preview.schema.columns] == ["accounts", "metric", "last 7 days", "previous 7 days", "change"]
    assert [(r.data["accounts"], r.data["metric"]) for r in preview.records][:2] == [("act_1001", "Spend"), ("act_1001", "Delivered")]
    assert preview.records[0].data["last 7 days"].endswith(" EUR")
    html = path.read_text()
    assert html.count('class="figure-data"') == 8  # the taps chart included
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'role="alert"' not in html  # no failed run recorded
    assert "2026-11-26 <span class=\"id\">not known yet</span>" in html
    # What recipients tapped: a table per campaign, markup in a title or payload shown as text, and the
    # taps no message could be tied to counted and shown last.
    assert '<section class="card" id="responses">' in html and "What recipients tapped" in html
    assert "&lt;b&gt;Deals&lt;/b&gt; &amp; more" in html and "&lt;script&gt;window.__xss=2&lt;/script&gt;" in html
    assert "<script>window.__xss=2" not in html
    assert "<em>Not tied to a message</em>" in html and "could not be tied to a message" in html


def test_a_three_day_range_run_records_each_days_page(home: Path):
    seed_marts(home / "warehouse.duckdb", sample_frames(RUN, days=10, campaigns=2))
    result = dg.materialize(
        [daily_report],
        resources=build_resources(home=str(home)),
        tags={"dagster/asset_partition_range_start": "2026-11-23", "dagster/asset_partition_range_end": "2026-11-25"},
    )
    assert result.success
    reports = home / "reports"
    assert sorted(p.name for p in reports.glob("*.html")) == ["2026-11-23.html", "2026-11-24.html", "2026-11-25.html",
                                                              "latest.html"]
    events = result.asset_materializations_for_node("reports__daily_report")
    pages = {e.partition: (e.metadata["run_date"].value, e.metadata["path"].value) for e in events}
    assert pages == {day: (day, str(reports / f"{day}.html")) for day in ("2026-11-23", "2026-11-24", "2026-11-25")}
    for event in events:
        assert event.metadata["size_bytes"].value == Path(event.metadata["path"].value).stat().st_size
        assert event.metadata["latest"].value == str(reports / "latest.html")
    assert (reports / "latest.html").read_bytes() == (reports / "2026-11-25.html").read_bytes()
    assert "2026-11-24" in (reports / "2026-11-24.html").read_text()


def test_an_empty_warehouse_gives_a_page_that_says_there_is_no_data(home: Path):
    seed_marts(home / "warehouse.duckdb", ReportFrames.of({}))
    result = dg.materialize([daily_report], resources=build_resources(home=str(home)), partition_key=RUN.isoformat())
    assert result.success
    assert "No data for this period." in (home / "reports" / "2026-11-25.html").read_text()


def test_the_header_shows_the_last_failed_run(home: Path):
    from pipelines import failures

    seed_marts(home / "warehouse.duckdb", sample_frames(RUN, days=10, campaigns=2))
    failures.record(home / "reports", failures.RunFailure(
        run_id="0123456789abcdef", job="daily_job", failed_at=dt.datetime(2026, 11, 24, 11, 5, tzinfo=dt.UTC),
        steps=("campaign_insights",), message="act_1: <throttled> & gave up"))
    assert dg.materialize([daily_report], resources=build_resources(home=str(home)), partition_key=RUN.isoformat()).success
    html = (home / "reports" / "2026-11-25.html").read_text()
    assert ('<p class="alert" role="alert">The last failed run: daily_job at 2026-11-24 11:05 UTC, step campaign_insights: '
            'act_1: &lt;throttled&gt; &amp; gave up (run 01234567 in the Dagster UI)</p>') in html
