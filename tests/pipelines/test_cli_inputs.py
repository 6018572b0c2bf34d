"""CLI inputs read strictly: ASCII digits only in ids, versions and numbers; an unreadable `.env`
or an MMLENS_HOME that is not a directory is one line and exit 2; a failed run is one line that
says where its traceback is, not Dagster's STEP_FAILURE output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipelines.settings import ConfigError, load_settings
from pipelines.simulator.server import running_simulator


def mmlens(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "MMLENS_HOME": os.environ["MMLENS_HOME"]}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("META_AD_ACCOUNT_IDS", "act_\u0661\u0662\u0663", "META_AD_ACCOUNT_IDS: 'act_١٢٣' is not an ad account id"),
        ("META_AD_ACCOUNT_IDS", "12,\u0663\u0664", "META_AD_ACCOUNT_IDS: '٣٤' is not an ad account id"),
        ("META_API_VERSION", "v\u0662\u0665.0", "META_API_VERSION: 'v٢٥.0' is not a Graph API version like v25.0"),
        ("MMLENS_LOOKBACK_DAYS", "1_0", "MMLENS_LOOKBACK_DAYS: '1_0' is not a whole number"),
        ("MMLENS_LOOKBACK_DAYS", "+5", "MMLENS_LOOKBACK_DAYS: '+5' is not a whole number"),
        ("MMLENS_LOOKBACK_DAYS", "\u0663", "MMLENS_LOOKBACK_DAYS: '٣' is not a whole number"),
    ],
)
def test_settings_read_ascii_digits_only(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, env_file=None)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("demo", "--days", "1_0"), "mmlens: --days: '1_0' is not a whole number (ASCII digits 0-9 only)"),
        (("demo", "--days", "+5"), "mmlens: --days: '+5' is not a whole number (ASCII digits 0-9 only)"),
        (("demo", "--days", "\u0663"), "mmlens: --days: '٣' is not a whole number (ASCII digits 0-9 only)"),
        (("webhooks", "serve", "--port", "+5"), "mmlens: --port: '+5' is not a whole number (ASCII digits 0-9 only)"),
        (("simulator", "serve", "--port", "8_0"), "mmlens: Invalid value for '--port': '8_0' is not a whole number "
                                                   "(ASCII digits 0-9 only) (see mmlens simulator serve --help)"),
        (("simulator", "truth", "--since", "2026-05-01", "--until", "2026-05-02", "--accounts", "1_0"),
         "mmlens: Invalid value for '--accounts': '1_0' is not a whole number (ASCII digits 0-9 only) "
         "(see mmlens simulator truth --help)"),
        (("simulator", "truth", "--since", "2026-05-01", "--until", "2026-05-02", "--accounts", "65"),
         "mmlens: Invalid value for '--accounts': 65 is out of range (1 to 64) (see mmlens simulator truth --help)"),
        (("simulator", "export", "--since", "2026-05-01", "--until", "2026-05-02", "--days", "0"),
         "mmlens: Invalid value for '--days': 0 is out of range (1 to 1100) (see mmlens simulator export --help)"),
        (("run", "--bogus"), "mmlens: No such option: --bogus (see mmlens run --help)"),
    ],
)
def test_cli_numbers_are_ascii_digits_and_usage_errors_are_one_line(args: tuple[str, ...], line: str) -> None:
    done = mmlens(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [line]


def test_lookback_with_underscores_is_refused_by_the_cli() -> None:
    done = mmlens("run", "--since", "2026-11-01", "--until", "2026-11-02",
                  env={"META_ACCESS_TOKEN": "t", "META_AD_ACCOUNT_IDS": "1", "MMLENS_LOOKBACK_DAYS": "1_0"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["mmlens: MMLENS_LOOKBACK_DAYS: '1_0' is not a whole number"]


def test_an_env_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"META_ACCESS_TOKEN=t\nMETA_AD_ACCOUNT_IDS=\xff1\n")
    done = mmlens("run", "--since", "2026-11-01", "--until", "2026-11-02", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "mmlens: .env: not UTF-8 text (undecodable byte at offset 40)"
    ]


@pytest.mark.parametrize(("inside", "said"), [("", "is"), ("/sub", "is under {file}, which is")])
def test_an_mmlens_home_that_is_a_file_is_one_line(tmp_path: Path, inside: str, said: str) -> None:
    file = tmp_path / "home-file"
    file.write_text("not a folder\n")
    home = f"{file}{inside}"
    done = mmlens("run", "--since", "2026-11-01", "--until", "2026-11-02",
                  env={"MMLENS_HOME": home, "META_ACCESS_TOKEN": "t", "META_AD_ACCOUNT_IDS": "1"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"mmlens: MMLENS_HOME: '{home}' {said.format(file=file)} not a directory"]


def test_a_failed_run_is_one_line_naming_the_run_whose_event_log_has_the_traceback(home: Path, monkeypatch) -> None:
    """A rejected token fails the Graph steps; Dagster's STEP_FAILURE output (about 150 lines with
    the tracebacks) is not printed, and the named run's event log holds the failure."""
    with running_simulator(seed=3, today=date(2026, 12, 1), access_token="the-right-token") as url:
        done = mmlens("run", "--since", "2026-11-01", "--until", "2026-11-02",
                      env={"META_ACCESS_TOKEN": "a-wrong-token", "META_AD_ACCOUNT_IDS": "1", "META_GRAPH_URL": url})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    found = re.fullmatch(
        r"mmlens: act_1: access token rejected \(code 190\): .* \(traceback in the event log of Dagster run "
        r"([0-9a-f-]{36}); UI: MMLENS_HOME=(.+) make dev\)",
        lines[0],
    )
    assert found is not None, lines[0]
    assert found.group(2) == str(home.resolve())
    assert "STEP_FAILURE" not in done.stderr + done.stdout and "Traceback" not in done.stderr

    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    with dg.DagsterInstance.get() as instance:
        failures = instance.all_logs(found.group(1), of_type=dg.DagsterEventType.STEP_FAILURE)
    assert failures, "the run named in the line is recorded with its step failures"
    error, said = failures[0].dagster_event.step_failure_data.error, ""
    while error is not None:
        said, error = said + error.message + "".join(error.stack), error.cause
    assert "code 190" in said and "File " in said, "the error and its stack"


def test_a_command_family_alone_still_shows_its_help() -> None:
    done = mmlens("webhooks")
    assert done.returncode == 2
    assert "serve" in done.stdout + done.stderr and "mmlens:" not in done.stderr
