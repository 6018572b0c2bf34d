"""Runs launched from the CLI are recorded in DAGSTER_HOME, and a user-facing error raised inside
a step comes back as the same error (same message, same exit code)."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml

from pipelines import launch, run_errors
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
    error = run_errors.failure_to_error(result)
    assert type(error) is cls
    assert str(error) == message


def test_prepare_dagster_home_writes_the_instance_config(home) -> None:
    settings = load_settings(env_file=None)
    path = launch.prepare_dagster_home(settings)
    assert (path / "dagster.yaml").read_text() == launch.INSTANCE_CONFIG.read_text()
    assert "default_limit: 1" in (path / "dagster.yaml").read_text()


CUSTOM = """# my team's instance settings
run_retries:
  enabled: true
"""


def test_a_users_dagster_yaml_without_concurrency_gets_the_pool_appended(home) -> None:
    settings = load_settings(env_file=None)
    target = settings.dagster_home / "dagster.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(CUSTOM)
    launch.prepare_dagster_home(settings)
    text = target.read_text()
    assert text.startswith(CUSTOM)  # kept as written, comment included
    assert yaml.safe_load(text) == {"run_retries": {"enabled": True}, "concurrency": {"pools": {"default_limit": 1}}}
    launch.prepare_dagster_home(settings)
    assert target.read_text() == text  # a second run changes nothing


def test_a_users_own_concurrency_settings_are_refused_in_one_line_never_overwritten(home) -> None:
    settings = load_settings(env_file=None)
    target = settings.dagster_home / "dagster.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("concurrency:\n  pools:\n    default_limit: 4\n")
    with pytest.raises(UsageError) as refused:
        launch.prepare_dagster_home(settings)
    assert str(refused.value) == (f"{target.resolve()}: set `concurrency: {{pools: {{default_limit: 1}}}}` in its "
                                  "concurrency section (DuckDB allows one writer); mmlens leaves the file as it is")
    assert target.read_text() == "concurrency:\n  pools:\n    default_limit: 4\n"


def test_make_dev_prepares_dagster_home_the_same_way(home, capsys) -> None:
    from pipelines import dagster_home

    target = home / "dagster" / "dagster.yaml"
    assert dagster_home.main([str(home / "dagster")]) == 0
    assert target.read_text() == launch.INSTANCE_CONFIG.read_text()
    target.write_text(": not yaml : [")
    assert dagster_home.main([str(home / "dagster")]) == 2
    assert capsys.readouterr().err.startswith(f"mmlens: {target}: not valid YAML (")
