"""Dagster resources. They hold no secrets in their config: settings are read from the
environment when a run starts, so the token never reaches Dagster's run storage."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from pipelines import warehouse
from pipelines.settings import Settings, load_settings


class MmlensSettings(dg.ConfigurableResource):
    """The mmlens configuration; `home` overrides MMLENS_HOME (tests use a temporary folder)."""

    home: str | None = None

    def load(self) -> Settings:
        settings = load_settings()
        if self.home is not None:
            settings = settings.model_copy(update={"home": Path(self.home)})
        return settings


class Warehouse(dg.ConfigurableResource):
    """The pipeline's DuckDB file, `MMLENS_HOME/warehouse.duckdb` (or `home` when given)."""

    home: str | None = None

    @property
    def path(self) -> Path:
        if self.home is not None:
            return Settings(home=Path(self.home)).warehouse_path
        return load_settings().warehouse_path

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.path, read_only=read_only) as con:
            yield con


def build_resources(home: str | None = None) -> dict[str, dg.ConfigurableResource]:
    return {"settings": MmlensSettings(home=home), "warehouse": Warehouse(home=home)}
