"""The previews shown in the Dagster UI are tables, whose cells the UI draws as plain text: Meta's
text stays text there (no Markdown, no HTML), and values survive the trip through JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import polars as pl
import pytest

from assets.metadata import rows_preview, table_preview

NAMES = ["**x**", "[a](http://e)", "<img src=x onerror=alert(1)>", "a | b", "two\nlines", None]


def test_names_reach_the_preview_as_table_cells_not_markdown() -> None:
    preview = table_preview(pl.DataFrame({"campaign_name": NAMES}, schema={"campaign_name": pl.String}))
    assert isinstance(preview, dg.TableMetadataValue)
    assert [record.data["campaign_name"] for record in preview.records] == [
        "**x**", "[a](http://e)", "<img src=x onerror=alert(1)>", "a | b", "two\nlines", None,
    ]
    assert [(c.name, c.type) for c in preview.schema.columns] == [("campaign_name", "string")]


def test_cells_keep_their_types_where_json_keeps_them_exact() -> None:
    frame = pl.DataFrame(
        {
            "n": [7, 2**53], "share": [0.5, float("nan")], "ok": [True, False],
            "day": [dt.date(2026, 5, 1), None], "spend": [Decimal("1.50"), Decimal("2.00")],
        }
    )
    preview = table_preview(frame)
    assert [(c.name, c.type) for c in preview.schema.columns] == [
        ("n", "int"), ("share", "float"), ("ok", "bool"), ("day", "string"), ("spend", "string"),
    ]
    assert [record.data for record in preview.records] == [
        {"n": 7, "share": 0.5, "ok": True, "day": "2026-05-01", "spend": "1.50"},
        {"n": "9007199254740992", "share": "nan", "ok": False, "day": None, "spend": "2.00"},
    ]


def test_preview_is_capped_and_an_empty_one_keeps_its_columns() -> None:
    assert len(table_preview(pl.DataFrame({"n": list(range(50))})).records) == 10
    empty = table_preview(pl.DataFrame({"n": []}, schema={"n": pl.Int64}))
    assert empty.records == [] and [c.name for c in empty.schema.columns] == ["n"]


@pytest.mark.parametrize("name", ["**x**", "[a](http://e)"])
def test_rows_preview_keeps_markdown_as_text(name: str) -> None:
    preview = rows_preview([{"accounts": name}], {"accounts": "string"})
    assert preview.records[0].data == {"accounts": name}
