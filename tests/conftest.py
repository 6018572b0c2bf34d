"""Shared fixtures: a temporary MMLENS_HOME and a clean environment for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

MMLENS_VARIABLES = (
    "META_ACCESS_TOKEN",
    "META_APP_SECRET",
    "META_AD_ACCOUNT_IDS",
    "META_GRAPH_URL",
    "META_API_VERSION",
    "META_WEBHOOK_VERIFY_TOKEN",
    "MMLENS_HOME",
    "MMLENS_LOOKBACK_DAYS",
    "MMLENS_ATTRIBUTION_WINDOWS",
    # A developer's mail settings must never make a test send mail.
    "MMLENS_SMTP_HOST",
    "MMLENS_SMTP_PORT",
    "MMLENS_SMTP_SECURITY",
    "MMLENS_SMTP_USER",
    "MMLENS_SMTP_PASSWORD",
    "MMLENS_REPORT_FROM",
    "MMLENS_REPORT_TO",
    "MMLENS_SNAPSHOT_IDENTIFIERS",
)

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test sees the developer's configuration; each gets its own MMLENS_HOME and cwd."""
    for name in MMLENS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("MMLENS_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def home(clean_env: Path) -> Path:
    return clean_env
