"""Dagster resources. Secrets are `EnvVar` references: Dagster stores the variable's name, the
value is read from the environment when a step starts, so the token never reaches Dagster's run
storage. The Graph resource wraps `pipelines.graph`, which knows nothing of Dagster."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
from dotenv import load_dotenv
from pydantic import SecretStr

from pipelines import warehouse
from pipelines.graph import pull
from pipelines.graph.async_reports import RUN_POLICY
from pipelines.graph.client import GraphClient
from pipelines.settings import Settings, load_settings

ACCESS_TOKEN_VAR = "META_ACCESS_TOKEN"
APP_SECRET_VAR = "META_APP_SECRET"


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


class GraphApi(dg.ConfigurableResource):
    """The Graph API client: the secrets (as `EnvVar`s) and how often to poll async report runs.
    URL, version and ad accounts come from the mmlens settings."""

    access_token: str | None = None
    app_secret: str | None = None
    poll_initial_seconds: float = RUN_POLICY.initial_seconds
    poll_max_seconds: float = RUN_POLICY.max_seconds

    def timing(self) -> pull.GraphTiming:
        """Every wait the client makes (tests against the simulator override this)."""
        poll = dataclasses.replace(RUN_POLICY, initial_seconds=self.poll_initial_seconds, max_seconds=self.poll_max_seconds)
        return pull.GraphTiming(poll=poll)

    def client(self, settings: Settings) -> GraphClient:
        """A client for the configured Graph API; ConfigError when no token is set anywhere."""
        secrets = {name: SecretStr(value) for name, value in
                   (("access_token", self.access_token), ("app_secret", self.app_secret)) if value}
        return pull.make_client(settings.model_copy(update=secrets), self.timing())


def _secret_refs() -> dict[str, dg.EnvVar | None]:
    """The Graph secrets as references to the environment (and `.env`, loaded into it without
    overriding). The app secret is optional: it is referred to only when it is set."""
    load_dotenv(Path(".env"), override=False)
    secret = dg.EnvVar(APP_SECRET_VAR) if os.environ.get(APP_SECRET_VAR, "").strip() else None
    return {"access_token": dg.EnvVar(ACCESS_TOKEN_VAR), "app_secret": secret}


def graph_run_config(poll_initial_seconds: float, poll_max_seconds: float) -> dict[str, object]:
    """Run config for the `graph` resource with other poll waits (the demo's local simulator
    answers in moments). Run config replaces the whole resource config, so the secrets are given
    again, as the names of their variables."""
    secrets = {name: {"env": ref.env_var_name} for name, ref in _secret_refs().items() if ref is not None}
    config = {**secrets, "poll_initial_seconds": poll_initial_seconds, "poll_max_seconds": poll_max_seconds}
    return {"resources": {"graph": {"config": config}}}


def build_resources(home: str | None = None) -> dict[str, dg.ConfigurableResource]:
    return {"settings": MmlensSettings(home=home), "warehouse": Warehouse(home=home), "graph": GraphApi(**_secret_refs())}
