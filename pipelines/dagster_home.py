"""DAGSTER_HOME under MMLENS_HOME, with the instance settings mmlens needs, and a user's own
`dagster.yaml` respected: it is never overwritten.

mmlens needs one setting, `concurrency: pools: default_limit: 1` (DuckDB allows one writer and
no reader beside it, so every step that opens the warehouse takes a slot of the `duckdb` pool).
A missing file gets the project's (`pipelines/config/dagster.yaml`); a file without a
`concurrency` section gets that section appended, the rest of it (comments too) kept as written;
a file whose `concurrency` section says otherwise is refused with one line saying what to add.
`make dev` runs this module; `mmlens run` and `mmlens demo` call `prepare`."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from pipelines.errors import UsageError

INSTANCE_CONFIG = Path(__file__).resolve().parent / "config" / "dagster.yaml"
REQUIRED = "concurrency: {pools: {default_limit: 1}}"
APPENDED = """
# Added by mmlens: DuckDB allows one writer and no reader beside it, so every step that opens the
# warehouse takes a slot of the `duckdb` pool.
concurrency:
  pools:
    default_limit: 1
"""


def _pool_limit(config: dict) -> object:
    concurrency = config.get("concurrency")
    pools = concurrency.get("pools") if isinstance(concurrency, dict) else None
    return pools.get("default_limit") if isinstance(pools, dict) else None


def prepare(home: Path) -> Path:
    """Create `home` and make sure its dagster.yaml has what mmlens needs; UsageError otherwise."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists():
        target.write_bytes(INSTANCE_CONFIG.read_bytes())
        return target
    text = target.read_text(encoding="utf-8")
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0]
        raise UsageError(f"{target}: not valid YAML ({first})") from None
    if not isinstance(config, dict):
        raise UsageError(f"{target}: not a mapping of Dagster instance settings; add `{REQUIRED}`")
    if "concurrency" not in config:
        target.write_text(text + ("" if text.endswith("\n") or not text else "\n") + APPENDED, encoding="utf-8")
        return target
    if _pool_limit(config) != 1:
        raise UsageError(f"{target}: set `{REQUIRED}` in its concurrency section (DuckDB allows one writer); "
                         "mmlens leaves the file as it is")
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m pipelines.dagster_home DIR` (what `make dev` runs): 0, or 2 with one line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pipelines.dagster_home DAGSTER_HOME", file=sys.stderr)
        return 2
    try:
        prepare(Path(args[0]))
    except UsageError as error:
        print(f"mmlens: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
