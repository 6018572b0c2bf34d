"""Runs launched from the CLI are recorded in DAGSTER_HOME, and a user-facing error raised inside
a step comes back as the same error (same message, same exit code)."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines import launch
from pipelines.errors import MmlensError, UsageError
from pipelines.settings import load_settings


class TokenRejected(UsageError):
    """Stands in for a Graph auth error raised by an asset."""


@dg.asset
def failing_asset() -> None:
    raise TokenRejected("ad account 123: the access token was rejected (code 190)")


@dg.asset
def broken_asset() -> None:
    raise KeyError("surprise")


@pytest.mark.parametrize(
    ("asset", "cls", "message"),
    [
        (failing_asset, TokenRejected, "ad account 123: the access token was rejected (code 190)"),
        (broken_asset, MmlensError, "step broken_asset failed: KeyError: 'surprise'"),
    ],
)
def test_failure_to_error_keeps_the_user_message(asset, cls, message: str) -> None:
    result = dg.materialize([asset], raise_on_error=False)
    error = launch.failure_to_error(result)
    assert type(error) is cls
    assert str(error) == message


def test_prepare_dagster_home_writes_the_instance_config(home) -> None:
    settings = load_settings(env_file=None)
    path = launch.prepare_dagster_home(settings)
    assert (path / "dagster.yaml").read_text() == launch.INSTANCE_CONFIG.read_text()
    assert "default_limit: 1" in (path / "dagster.yaml").read_text()
