"""Shared fixtures: a temporary MMLENS_HOME and a clean environment for every test."""

from __future__ import annotations

import signal
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
    "MMLENS_RECEIVER_INSTANCE",
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


def pytest_configure(config: pytest.Config) -> None:
    """Run under a shell that started the suite in the background, SIGINT is ignored; every
    in-process Dagster run then copies that onto SIGTERM (Dagster maps SIGTERM to SIGINT), the
    `mmlens` subprocesses inherit an ignored SIGTERM, and so do the `tail -F` processes Dagster
    mirrors step logs with: Dagster's SIGTERM no longer stops them and a test reading the
    command's output waits for ever. Interrupts get their usual handlers back first."""
    for number in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(number) == signal.SIG_IGN:
            signal.signal(number, signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL)


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
