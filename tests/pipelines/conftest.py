"""An analyst snapshot with one ad account, published from a fresh warehouse in the test's home."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import warehouse


@pytest.fixture
def snapshot(home: Path) -> Path:
    db = home / "warehouse.duckdb"
    with warehouse.connect(db) as con:
        con.execute("insert into raw.ad_accounts values ('123456789012345678', '<b>Ünïcødé 🎉</b>', 'JPY', 1, 'Asia/Tokyo', 1)")
    return warehouse.publish_snapshot(db, home / "analytics.duckdb")
