"""`mmlens backfill` refuses bad input with one line and exit 2, before any Dagster instance or
daemon is started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LAKE = {"MMLENS_LAKE_CATALOG_URI": "sqlite:///{home}/catalog.db", "MMLENS_LAKE_WAREHOUSE": "{home}/lake"}
RUN = {"META_ACCESS_TOKEN": "EAAbackfillCLItoken0123", "META_AD_ACCOUNT_IDS": "act_101,act_102"}


def mmlens(args: tuple[str, ...], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "MMLENS_HOME": os.environ["MMLENS_HOME"]}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          env={**base, **env}, timeout=120)


@pytest.mark.parametrize(
    ("args", "lake", "line"),
    [
        (("--since", "2026-05-01", "--until", "2026-05-02"), False,
         "mmlens: backfill: needs lake mode (set MMLENS_LAKE_CATALOG_URI and MMLENS_LAKE_WAREHOUSE); without it, "
         "use mmlens run"),
        (("--since", "2026-05-03", "--until", "2026-05-02"), True, "mmlens: --since 2026-05-03 is after --until 2026-05-02"),
        (("--since", "2026-05-01", "--until", "2026-05-02", "--parallel", "0"), True,
         "mmlens: --parallel: 0 is out of range (1 to 64)"),
        (("--since", "2026-05-01", "--until", "2026-05-02", "--parallel", "+2"), True,
         "mmlens: --parallel: '+2' is not a whole number (ASCII digits 0-9 only)"),
        (("--since", "2023-12-31", "--until", "2024-01-02"), True, "mmlens: run: 2023-12-31 is before the first partition (2024-01-01)"),
        (("--until", "2026-05-02"), True, "mmlens: Missing option '--since' (see mmlens backfill --help)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], lake: bool, line: str, tmp_path: Path) -> None:
    env = {**RUN, **({k: v.format(home=tmp_path) for k, v in LAKE.items()} if lake else {})}
    done = mmlens(("backfill", *args), env)
    assert (done.returncode, done.stderr.strip()) == (2, line)
    assert not (tmp_path / "lake").exists()


def test_without_accounts_the_reason_names_the_variable(tmp_path: Path) -> None:
    env = {"META_ACCESS_TOKEN": RUN["META_ACCESS_TOKEN"], **{k: v.format(home=tmp_path) for k, v in LAKE.items()}}
    done = mmlens(("backfill", "--since", "2026-05-01", "--until", "2026-05-02"), env)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("mmlens: ") and "META_AD_ACCOUNT_IDS" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
