"""The markdown previews shown in the Dagster UI keep Meta's text as text."""

from __future__ import annotations

import polars as pl
import pytest

from assets.metadata import markdown_preview


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a | b", "a \\| b"),
        ("two\nlines", "two lines"),
        (None, ""),
    ],
)
def test_cells_are_escaped(value: str | None, shown: str) -> None:
    table = markdown_preview(pl.DataFrame({"campaign_name": [value]}, schema={"campaign_name": pl.String}))
    assert table.splitlines() == ["| campaign_name |", "|---|", f"| {shown} |"]


def test_preview_is_capped_and_says_when_empty() -> None:
    assert len(markdown_preview(pl.DataFrame({"n": list(range(50))})).splitlines()) == 12
    assert markdown_preview(pl.DataFrame({"n": []})) == "_no rows_"
