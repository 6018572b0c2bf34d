"""What the assets share for the Dagster UI: asset keys of the marts and markdown previews."""

from __future__ import annotations

import dagster as dg
import polars as pl

MART_NAMES = ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates")


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


MART_KEYS = [mart_key(name) for name in MART_NAMES]


def markdown_preview(frame: pl.DataFrame, rows: int = 10) -> str:
    """A small markdown table of the first rows. Text from Meta is escaped so it shows as text."""
    if frame.is_empty():
        return "_no rows_"
    head = frame.head(rows)

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")

    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in head.iter_rows()]
    return "\n".join(lines)
