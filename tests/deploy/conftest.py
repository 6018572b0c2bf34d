"""Services of the deployment on several machines, started once per session: PostgreSQL (Debian's,
as in the lake tests) and Redis (Debian's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.services import running_redis
from tests.lake.services import running_postgres


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url
