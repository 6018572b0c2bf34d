"""Lake fixtures: a SQLite catalog over a local folder (every lake test), and the services a
shared lake uses, started for real on loopback: PostgreSQL from Debian's packages and an
S3-compatible endpoint (moto's server mode). See tests/lake/services.py.

A test that uses a service is marked `lake_services`: `make test` deselects those, `make
test-services` runs them. One that uses a service without the mark fails, so that it cannot slip
into `make test` on a machine that happens to have PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.lake.catalog import Lake
from pipelines.lake.config import LakeSettings, parse_lake_settings
from tests.lake.services import running_moto, running_postgres


def settings_for(uri: str, warehouse: str, **extra: str) -> LakeSettings:
    env = {"MMLENS_LAKE_CATALOG_URI": uri, "MMLENS_LAKE_WAREHOUSE": warehouse, **extra}
    settings = parse_lake_settings(env.get)
    assert settings is not None
    return settings


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> LakeSettings:
    return settings_for(f"sqlite:///{tmp_path / 'catalog.db'}", str(tmp_path / "warehouse"))


@pytest.fixture
def lake(sqlite_settings: LakeSettings) -> Lake:
    return Lake(sqlite_settings)


SERVICE_FIXTURES = frozenset({"postgres_url", "s3_endpoint"})


@pytest.fixture(autouse=True)
def _services_are_marked(request: pytest.FixtureRequest) -> None:
    used = sorted(SERVICE_FIXTURES & set(request.fixturenames))
    if used and request.node.get_closest_marker("lake_services") is None:
        pytest.fail(f"{request.node.nodeid} uses {', '.join(used)} but is not marked lake_services")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with running_moto() as url:
        yield url
