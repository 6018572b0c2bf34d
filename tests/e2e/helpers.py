"""End-to-end helpers: run the `mmlens` console script as a user would, against a simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def mmlens(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `mmlens ARGS` in a subprocess with exactly the mmlens variables in `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_"))}
    script = Path(sys.executable).with_name("mmlens")
    return subprocess.run([str(script), *args], env={**base, **env}, capture_output=True, text=True, timeout=timeout)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    """Every file under `root` whose bytes contain `needle` (also inside binary files)."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(path)
    return hits
