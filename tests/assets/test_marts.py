"""The mart assets on a real temporary DuckDB seeded with raw rows: partition windows, incremental
rebuilds equal to full ones, idempotent re-runs and the checks' verdicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from assets import mart_checks, marts
from pipelines import mart_builds, warehouse
from pipelines.resources import build_resources

UTC = dt.timezone.utc
RANGE = {"dagster/asset_partition_range_start": "2026-05-01", "dagster/asset_partition_range_end": "2026-05-02"}


def seed_graph(con) -> None:
    con.execute("insert into raw.ad_accounts values ('1', 'Shop', 'USD', 100, 'America/Los_Angeles', 1)")
    con.execute("insert into raw.message_campaigns (message_campaign_id, ad_account_id, campaign_name, page_id) "
                "values ('9007199254740993', '1', '<img src=x onerror=alert(1)>', 'p1'), ('c2', '1', 'Two', 'p1')")
    rows = [("9007199254740993", dt.date(2026, 5, 1), "40.00", 1000, "6.25"),
            ("9007199254740993", dt.date(2026, 5, 2), "0", 0, None),
            ("c2", dt.date(2026, 5, 3), "10", 100, None)]
    for cid, day, spend, delivered, api in rows:
        con.execute("insert into raw.campaign_insights_daily (ad_account_id, message_campaign_id, date, currency, spend, "
                    "delivered, link_clicks, read_rate, delivery_rate, website_purchase_roas) "
                    "values ('1', ?, ?, 'USD', ?, ?, 5, 50, 90, ?)", [cid, day, Decimal(spend), delivered, api])
    con.execute("insert into raw.campaign_actions_daily values "
                "('1', '9007199254740993', '2026-05-01', 'offsite_conversion.fb_pixel_purchase', 'default', 3, 250), "
                "('1', '9007199254740993', '2026-05-01', 'offsite_conversion.fb_pixel_purchase', '7d_click', 2, 200), "
                "('1', '9007199254740993', '2026-05-01', 'omni_purchase', 'default', 3, 250)")
    con.execute("insert into raw.delivery_estimates values ('1', '2026-05-01', 'p1', 50, 900, 1200, 30, 50)")


def add_attempt(con, key: str, ts: dt.datetime, token: str, tracking: str | None, code: int | None = None,
                file: str = "sends/a.ndjson", line: int = 1) -> None:
    con.execute("insert into raw.send_attempts (attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, "
                "http_status, success, tracking_id, error_code, source_file, source_line) "
                "values (?, ?, '1', 'c2', ?, ?, ?, ?, ?, ?, ?)",
                [key, ts, token, 200 if tracking else 400, tracking is not None, tracking, code, file, line])


def add_event(con, key: str, kind: str, ts: dt.datetime, token: str, tracking: str | None = None,
              message: str | None = None, file: str = "webhooks/a.ndjson", line: int = 1) -> None:
    con.execute("insert into raw.webhook_events (event_key, event_type, page_id, message_campaign_id, subscription_token, "
                "tracking_id, event_ts, error_message, source_file, source_line) values (?, ?, 'p1', 'c2', ?, ?, ?, ?, ?, ?)",
                [key, kind, token, tracking, ts, message, file, line])


def seed_exports_day1(con) -> None:
    t = dt.datetime(2026, 5, 1, 23, 0, tzinfo=UTC)
    add_attempt(con, "a1", t, "tok1", "t1", line=1)
    add_attempt(con, "a2", t, "tok2", None, code=2300042, line=2)
    add_event(con, "e1", "delivery", t + dt.timedelta(minutes=5), "tok1", "t1", line=1)
    add_event(con, "e2", "delivery_failed", t, "tok9", message="This person is not available right now.", line=2)


def seed_exports_day2(con) -> None:
    """A click for day 1's send arrives on day 2 (no tracking id), with a new send that day."""
    t = dt.datetime(2026, 5, 2, 1, 0, tzinfo=UTC)
    add_event(con, "e3", "click", t, "tok1", file="webhooks/b.ndjson", line=1)
    add_attempt(con, "a3", t, "tok3", "t3", file="sends/b.ndjson", line=1)
    add_event(con, "e4", "read", t + dt.timedelta(minutes=1), "tok3", "t3", file="webhooks/b.ndjson", line=2)


@pytest.fixture
def db(home: Path) -> Path:
    path = home / "warehouse.duckdb"
    with warehouse.connect(path) as con:
        seed_graph(con)
        seed_exports_day1(con)
    return path


def table(path: Path, name: str) -> list[tuple]:
    with warehouse.connect(path) as con:
        return con.sql(f"select * from marts.{name} order by all").fetchall()


def run_all(home: Path, **config: bool) -> dg.ExecuteInJobResult:
    resources = build_resources(home=str(home))
    first = dg.materialize([marts.campaign_marts, *mart_checks.grain_checks[:2], mart_checks.roas_matches_meta],
                           resources=resources, tags=RANGE, selection=None)
    assert first.success
    run_config = {"ops": {name: {"config": config} for name in ("marts__delivery_funnel_daily", "marts__error_codes_daily")}}
    second = dg.materialize([marts.delivery_funnel_daily, marts.error_codes_daily, marts.delivery_estimates,
                             mart_checks.funnel_monotone, *mart_checks.grain_checks[2:], *mart_checks.sign_checks[2:]],
                            resources=resources, run_config=run_config if config else None)
    assert second.success
    return second


def test_campaign_marts_rebuild_their_partition_range_only(db: Path, home: Path) -> None:
    run_all(home)
    rows = table(db, "campaign_daily")
    assert [(r[1], r[4].isoformat(), r[14]) for r in rows] == [
        ("9007199254740993", "2026-05-01", Decimal("6.25")), ("9007199254740993", "2026-05-02", None)]
    assert rows[0][2] == "<img src=x onerror=alert(1)>"
    assert [(r[3], r[4]) for r in table(db, "conversions_daily")] == [("offsite_conversion.fb_pixel_purchase", "7d_click"),
                                                                    ("offsite_conversion.fb_pixel_purchase", "default")]
    # Re-running the same range gives identical tables.
    before = {name: table(db, name) for name in mart_builds.MART_NAMES}
    run_all(home)
    assert {name: table(db, name) for name in mart_builds.MART_NAMES} == before


def test_export_marts_incremental_equals_full_rebuild(db: Path, home: Path) -> None:
    run_all(home)
    funnel = table(db, "delivery_funnel_daily")
    assert [(r[2].isoformat(), r[3:11]) for r in funnel] == [("2026-05-01", (2, 1, 1, 1, 1, 0, 0, 0))]
    assert funnel[0][11] == 1  # the delivery_failed for a token never sent to
    with warehouse.connect(db) as con:
        seed_exports_day2(con)
        result = mart_builds.build_funnel(con)
        assert result.since == dt.date(2026, 5, 1)  # the late click widened the window back to its send
        assert mart_builds.build_funnel(con).since is None  # nothing new
    incremental = {name: table(db, name) for name in ("delivery_funnel_daily", "error_codes_daily")}
    run_all(home, full_rebuild=True)
    assert {name: table(db, name) for name in incremental} == incremental
    day1 = incremental["delivery_funnel_daily"][0]
    assert (day1[2].isoformat(), day1[9]) == ("2026-05-01", 1)  # clicked
    errors = incremental["error_codes_daily"]
    assert {(r[2], r[3], r[8]) for r in errors} == {("send_api", "2300042", 1), ("delivery_failed_webhook", "2300052", 1)}


def test_estimates_sit_beside_actuals(db: Path, home: Path) -> None:
    run_all(home)
    (row,) = table(db, "delivery_estimates")
    assert (row[0], row[1].isoformat(), row[10], row[11], row[12]) == ("1", "2026-05-01", 1000, Decimal("40"), True)


def test_checks_pass_on_good_marts_and_fail_on_duplicates(db: Path, home: Path) -> None:
    result = run_all(home)
    assert all(e.passed for e in result.get_asset_check_evaluations())
    with warehouse.connect(db) as con:
        con.execute("insert into marts.delivery_funnel_daily select * from marts.delivery_funnel_daily")
        con.execute("update marts.campaign_daily set api_roas = 7 where api_roas is not null")
    checks = dg.materialize([marts.delivery_funnel_daily, *mart_checks.grain_checks, mart_checks.roas_matches_meta,
                             mart_checks.funnel_monotone], resources=build_resources(home=str(home)),
                            selection=dg.AssetSelection.checks(*[c for d in mart_checks.grain_checks for c in d.check_keys],
                                                               *mart_checks.roas_matches_meta.check_keys),
                            raise_on_error=False)
    verdicts = {(e.asset_key.path[-1], e.check_name): e.passed for e in checks.get_asset_check_evaluations()}
    assert verdicts[("delivery_funnel_daily", "grain_unique")] is False
    assert verdicts[("campaign_daily", "roas_matches_meta")] is False
    assert verdicts[("campaign_daily", "grain_unique")] is True


def test_analyst_views_aggregate_ratio_of_sums(db: Path, home: Path) -> None:
    run_all(home)
    with warehouse.connect(db) as con:
        con.execute("update marts.campaign_daily set spend = 10, purchase_value = 10 where date = '2026-05-02'")
        assert warehouse.apply_views(con) == ["campaign_performance", "errors_by_category", "estimate_accuracy",
                                              "funnel_rates", "weekly_roas"]
        (total,) = con.execute("select spend, purchase_value, roas, read_rate, days from campaign_performance").fetchall()
        # (250 + 10) / (40 + 10) = 5.2, not the mean of the daily 6.25 and 1.0.
        assert total == (Decimal(50), Decimal(260), Decimal("5.2"), Decimal(50), 2)
        (day1,) = con.execute("select roas, days from campaign_performance_between(date '2026-05-01', date '2026-05-01')"
                              ).fetchall()
        assert day1 == (Decimal("6.25"), 1)
        (week,) = con.execute("select week_start, roas from weekly_roas").fetchall()
        assert week == (dt.date(2026, 4, 27), Decimal("5.2"))
        shares = con.execute("select source, category, share_of_day from errors_by_category order by all").fetchall()
        assert shares == [("delivery_failed_webhook", "recipient_unavailable", Decimal(100)),
                          ("send_api", "frequency_cap", Decimal(100))]
        (rates,) = con.execute("select acceptance_rate, delivery_rate, read_rate from funnel_rates").fetchall()
        assert rates == (Decimal(50), Decimal(100), Decimal(0))
        (accuracy,) = con.execute("select actual_delivered, delivered_error_pct from estimate_accuracy").fetchall()
        assert accuracy == (1000, Decimal("-4.761905"))  # 1000 vs the 900..1200 midpoint 1050


def test_a_send_log_landing_after_its_webhooks_moves_the_event_off_the_older_send(db: Path, home: Path) -> None:
    with warehouse.connect(db) as con:
        add_event(con, "late-click", "click", dt.datetime(2026, 5, 2, 1, 0, tzinfo=UTC), "tok1",
                  file="webhooks/b.ndjson", line=1)
    run_all(home)
    assert [(r[2].day, r[9]) for r in table(db, "delivery_funnel_daily")] == [(1, 1)]  # joined day 1's send
    with warehouse.connect(db) as con:
        # The send log for 00:30 on day 2 lands only now: the click belongs to that later send.
        add_attempt(con, "late-send", dt.datetime(2026, 5, 2, 0, 30, tzinfo=UTC), "tok1", "t9",
                    file="sends/b.ndjson", line=1)
        assert mart_builds.build_funnel(con).since == dt.date(2026, 5, 1)
    incremental = table(db, "delivery_funnel_daily")
    assert [(r[2].day, r[6], r[9]) for r in incremental] == [(1, 1, 0), (2, 1, 1)]
    run_all(home, full_rebuild=True)
    assert table(db, "delivery_funnel_daily") == incremental


def test_meta_roas_over_a_range_counts_days_meta_left_silent_as_zero(db: Path, home: Path) -> None:
    """Meta omits website_purchase_roas on days without purchases; averaging only the days it
    reported would inflate Meta's ROAS and flag a mismatch that is not there."""
    run_all(home)
    with warehouse.connect(db) as con:
        con.execute("update marts.campaign_daily set api_roas = roas")
        con.execute("update marts.campaign_daily set spend = 10, purchase_value = 0, roas = 0, api_roas = null "
                    "where date = '2026-05-02'")
        warehouse.apply_views(con)
        (total,) = con.execute("select roas, api_roas from campaign_performance").fetchall()
        (week,) = con.execute("select roas, api_roas from weekly_roas").fetchall()
        con.execute("update marts.campaign_daily set api_roas = null")
        (never,) = con.execute("select api_roas from campaign_performance").fetchall()
    assert total[0] == total[1] and total[0] > 0
    assert week[0] == week[1]
    assert never == (None,)


def add_send_of(con, key: str, campaign: str, ts: dt.datetime, token: str, tracking: str) -> None:
    con.execute("insert into raw.send_attempts (attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, "
                "http_status, success, tracking_id, source_file, source_line) values (?, ?, '1', ?, ?, 200, true, ?, ?, 1)",
                [key, ts, campaign, token, tracking, f"sends/{key}.ndjson"])


def test_events_whose_send_is_older_than_the_window_still_attribute_to_it(db: Path, home: Path) -> None:
    """The incremental build looks older sends up through the send directory: a late click and
    read for day 1's send, and clicks that must be proven to have no send (a token never sent to,
    a token sent to by another campaign), all equal to a full rebuild."""
    with warehouse.connect(db) as con:
        add_send_of(con, "other-campaign", "9007199254740993", dt.datetime(2026, 5, 1, 8, 0, tzinfo=UTC), "tokX", "tX")
    run_all(home)
    with warehouse.connect(db) as con:
        nine = dt.datetime(2026, 5, 9, 9, 0, tzinfo=UTC)
        add_event(con, "orphan", "click", nine, "tok9", file="webhooks/c.ndjson", line=1)
        add_event(con, "other", "click", nine, "tokX", file="webhooks/c.ndjson", line=2)  # campaign c2, never sent to
        add_attempt(con, "a9", nine, "tok5", "t5", file="sends/c.ndjson", line=1)
        assert mart_builds.build_funnel(con).since == dt.date(2026, 5, 9)  # nothing older changed
        ten = dt.datetime(2026, 5, 10, 9, 0, tzinfo=UTC)
        add_event(con, "late-click", "click", ten, "tok1", file="webhooks/d.ndjson", line=1)
        add_event(con, "late-read", "read", ten, "tok1", "t1", file="webhooks/d.ndjson", line=2)
        assert mart_builds.build_funnel(con).since == dt.date(2026, 5, 1)  # widened back to the send
        ((directory,),) = con.execute("select count(*) from marts.send_keys").fetchall()
        assert directory == 3  # every accepted send (a1, a9 and the other campaign's), appended as the log grew
    incremental = table(db, "delivery_funnel_daily")
    c2 = {(r[2].day, r[1]): r[3:] for r in incremental if r[1] == "c2"}
    assert c2[(1, "c2")][3:7] == (1, 1, 1, 1)  # sent, delivered, read, clicked: day 1's send
    assert c2[(9, "c2")][-1] == 2  # both clicks of May 9 unattributed
    run_all(home, full_rebuild=True)
    assert table(db, "delivery_funnel_daily") == incremental


def test_send_directory_is_rebuilt_when_the_send_log_was(db: Path, home: Path) -> None:
    run_all(home)
    with warehouse.connect(db) as con:
        con.execute("delete from raw.send_attempts where attempt_key = 'a1'")
        add_attempt(con, "a3", dt.datetime(2026, 5, 2, 1, 0, tzinfo=UTC), "tok3", "t3", file="sends/b.ndjson", line=1)
        assert mart_builds.build_funnel(con).full
        rows = con.execute("select s.attempt_key from marts.send_keys as k join raw.send_attempts as s "
                           "on s.rowid = k.raw_rowid order by all").fetchall()
    assert rows == [("a3",)]


def test_a_three_day_range_run_records_each_partitions_own_row_count(db: Path, home: Path) -> None:
    with warehouse.connect(db) as con:
        con.execute("insert into raw.campaign_insights_daily (ad_account_id, message_campaign_id, date, currency, spend, "
                    "delivered, link_clicks, read_rate, delivery_rate) values ('1', 'c2', '2026-05-01', 'USD', 5, 50, 1, 50, 90)")
    result = dg.materialize([marts.campaign_marts], resources=build_resources(home=str(home)),
                            tags={"dagster/asset_partition_range_start": "2026-05-01",
                                  "dagster/asset_partition_range_end": "2026-05-03"})
    assert result.success
    for name, expected in (("campaign_daily", {"2026-05-01": 2, "2026-05-02": 1, "2026-05-03": 1}),
                           ("conversions_daily", {"2026-05-01": 2, "2026-05-02": 0, "2026-05-03": 0})):
        events = [e.materialization for e in result.get_asset_materialization_events()
                  if e.asset_key == dg.AssetKey(["marts", name])]
        assert {e.partition: e.metadata["dagster/partition_row_count"].value for e in events} == expected
        # The table's own count and the run's window are the same on every partition, and say so.
        assert {e.metadata["dagster/row_count"].value for e in events} == {sum(expected.values())}
        assert {e.metadata["window"].value for e in events} == {"2026-05-01..2026-05-03"}
