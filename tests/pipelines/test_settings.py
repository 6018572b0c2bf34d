"""Every bad configuration value gives one line naming the variable and exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines.settings import ConfigError, load_settings

BAD_VALUES = [
    ("META_AD_ACCOUNT_IDS", "abc", "META_AD_ACCOUNT_IDS: 'abc' is not an ad account id"),
    ("META_AD_ACCOUNT_IDS", "act_12,act_x", "META_AD_ACCOUNT_IDS: 'act_x' is not an ad account id"),
    ("META_GRAPH_URL", "graph.facebook.com", "META_GRAPH_URL: 'graph.facebook.com' is not an http(s) URL"),
    ("META_API_VERSION", "25", "META_API_VERSION: '25' is not a Graph API version like v25.0"),
    ("MMLENS_LOOKBACK_DAYS", "many", "MMLENS_LOOKBACK_DAYS: 'many' is not a whole number"),
    ("MMLENS_LOOKBACK_DAYS", "0", "MMLENS_LOOKBACK_DAYS: 0 is out of range (1 to 90)"),
    ("MMLENS_ATTRIBUTION_WINDOWS", "7d_click,28d_view", "MMLENS_ATTRIBUTION_WINDOWS: '28d_view' is deprecated"),
    ("MMLENS_ATTRIBUTION_WINDOWS", "7d_view", "MMLENS_ATTRIBUTION_WINDOWS: '7d_view' is deprecated"),
    ("MMLENS_ATTRIBUTION_WINDOWS", "2d_click", "MMLENS_ATTRIBUTION_WINDOWS: '2d_click' is not a window"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_bad_value_is_one_line_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, env_file=None)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_cli_exits_2_with_one_line_and_no_traceback(name: str, value: str, message: str, monkeypatch) -> None:
    env = {"PATH": "/usr/bin:/bin", name: value, "META_ACCESS_TOKEN": "t", "META_AD_ACCOUNT_IDS": "1"}
    env[name] = value
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--date-preset", "yesterday"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in done.stderr


def test_defaults_and_normalisation() -> None:
    settings = load_settings({"META_AD_ACCOUNT_IDS": " act_123, 456 ,act_123", "META_ACCESS_TOKEN": "s3cret"}, env_file=None)
    assert settings.ad_account_ids == ("123", "456")
    assert settings.graph_url == "https://graph.facebook.com"
    assert settings.lookback_days == 28
    assert settings.attribution_windows == ("7d_click", "1d_view")
    assert "s3cret" not in repr(settings)


def test_env_file_is_read_and_environment_wins(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MMLENS_LOOKBACK_DAYS=7\nMETA_API_VERSION=v24.0\n")
    settings = load_settings({"META_API_VERSION": "v25.0"}, env_file=env_file)
    assert settings.lookback_days == 7
    assert settings.api_version == "v25.0"
