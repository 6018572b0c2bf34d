"""Writes replace their window in one transaction: re-runs are identical, failures change nothing."""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipelines import warehouse
from pipelines.graph.accounts import AdAccount
from pipelines.graph.estimates import DeliveryEstimate
from pipelines.graph.insights import ActionRow, InsightRow
from pipelines.graph.pull import InsightsPull
from pipelines.graph.store import replace_insights, upsert_estimates

ACCOUNT = AdAccount("1", "Shop", "USD", 100, "UTC", 1)


def _pull(since, until, spend="1.10"):
    rows, actions = [], []
    for day in range(since.day, until.day + 1):
        d = date(2026, 1, day)
        rows.append(InsightRow("1", "c1", d, "USD", Decimal(spend), 10, 1, Decimal("12.5"), None, None, None, None, None))
        actions.append(ActionRow("1", "c1", d, "offsite_conversion.fb_pixel_purchase", "default", Decimal(1), Decimal("9.99")))
    return InsightsPull(ACCOUNT, since, until, rows, actions, 1, 0)


def _dump(con):
    return (
        con.execute("select * from raw.campaign_insights_daily order by all").fetchall(),
        con.execute("select * from raw.campaign_actions_daily order by all").fetchall(),
    )


def test_rerun_is_identical_and_restatement_replaces(tmp_path):
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        replace_insights(con, [_pull(date(2026, 1, 1), date(2026, 1, 10))])
        first = _dump(con)
        replace_insights(con, [_pull(date(2026, 1, 1), date(2026, 1, 10))])
        assert _dump(con) == first and len(first[0]) == 10
        replace_insights(con, [_pull(date(2026, 1, 5), date(2026, 1, 6), spend="2.00")])
        rows = con.execute("select date, spend from raw.campaign_insights_daily order by date").fetchall()
    assert [str(s) for _, s in rows] == ["1.1000"] * 4 + ["2.0000"] * 2 + ["1.1000"] * 4
    assert isinstance(rows[0][1], Decimal)


def test_failed_insert_rolls_back_the_delete(tmp_path):
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        replace_insights(con, [_pull(date(2026, 1, 1), date(2026, 1, 3))])
        before = _dump(con)
        broken = _pull(date(2026, 1, 1), date(2026, 1, 3))
        broken.rows.append(broken.rows[0])  # duplicate primary key
        with pytest.raises(duckdb.ConstraintException):
            replace_insights(con, [broken])
        assert _dump(con) == before


def _estimate(account, day, lower, cost):
    return DeliveryEstimate(account, date(2026, 1, day), "777", None, lower, lower * 2, Decimal(cost), None)


def test_estimates_replace_their_account_and_day_only(tmp_path):
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        upsert_estimates(con, [_estimate("1", 1, 100, "1.50"), _estimate("1", 2, 200, "2.50"), _estimate("2", 1, 300, "3.50")])
        upsert_estimates(con, [_estimate("1", 1, 150, "1.75")])
        rows = con.execute("select * from raw.delivery_estimates order by all").fetchall()
    assert rows == [
        ("1", date(2026, 1, 1), "777", None, 150, 300, Decimal("1.7500"), None),
        ("1", date(2026, 1, 2), "777", None, 200, 400, Decimal("2.5000"), None),
        ("2", date(2026, 1, 1), "777", None, 300, 600, Decimal("3.5000"), None),
    ]
