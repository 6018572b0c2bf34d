"""Check mutmut's mutants against a few fast test files, in one process (`make mutate-screen`).

`make mutate` runs, for each mutant, every test that reached the mutated function; for the
transforms those include the mart builds of tests/assets/test_marts.py, about 50 s of tests a
mutant, which a shared two-core machine cannot afford for hundreds of mutants. This screen runs
only the given test files, once per mutant, in this one process (pytest.main again and again, so
Python, polars and the test modules are loaded once), inside the mutants/ tree that `make mutate`
generated. A mutant those tests fail is killed; one they pass has survived them, and is recorded
as such for `mutmut results` / `mutmut show` (mutmut's own run may still kill it with the slower
tests). Verdicts are written back to mutmut's `.meta` files.

    python tests/mutation_screen.py 'pipelines.transforms.funnel.*' tests/transforms/test_funnel.py
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import io
import json
import os
import signal
import sys
from pathlib import Path

import pytest

KILLED, SURVIVED = 1, 0  # mutmut's exit codes


def _pending(pattern: str) -> dict[Path, list[str]]:
    """Unchecked mutants matching `pattern`, by the `.meta` file that records them."""
    found: dict[Path, list[str]] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        names = [name for name, code in codes.items() if code is None and fnmatch.fnmatchcase(name, pattern)]
        if names:
            found[meta.resolve()] = names
    return found


def _record(meta: Path, verdicts: dict[str, int]) -> None:
    """Under a lock and by an atomic rename, so that screens of one module in parallel (each with
    its own pattern) neither read a half-written file nor drop each other's verdicts."""
    with open(meta.with_name(meta.name + ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        document = json.loads(meta.read_text(encoding="utf-8"))
        document["exit_code_by_key"].update(verdicts)
        written = meta.with_name(meta.name + ".tmp")
        written.write_text(json.dumps(document, indent=4), encoding="utf-8")
        os.replace(written, meta)


def main(pattern: str, tests: list[str]) -> int:
    pending = _pending(pattern)
    if not pending:
        print(f"no unchecked mutants match {pattern} (run `make mutate MUTANTS='{pattern}'` first)")
        return 1
    os.chdir("mutants")
    args = ["-x", "-q", "-p", "no:cacheprovider", "--timeout=120", *tests]
    output = io.StringIO()

    def run(mutant: str) -> int:
        os.environ["MUTANT_UNDER_TEST"] = mutant
        output.seek(0)
        output.truncate()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            return int(pytest.main(args))

    interrupted: list[int] = []

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    if run("none") != 0:  # the unmutated code must pass, or every verdict is meaningless
        print(output.getvalue()[-3000:])
        return 1
    killed = survived = 0
    for meta, names in pending.items():
        verdicts: dict[str, int] = {}
        for name in names:
            code = run(name)
            if interrupted:  # Ctrl-C: keep what was checked, not this one (pytest returned "interrupted")
                _record(meta, verdicts)
                return 1
            verdicts[name] = KILLED if code != 0 else SURVIVED
            if verdicts[name] == SURVIVED:
                print(f"survived: {name}", flush=True)
            _record(meta, {name: verdicts[name]})  # at once: a screen stopped or hung keeps what it checked
        killed += sum(code == KILLED for code in verdicts.values())
        survived += sum(code == SURVIVED for code in verdicts.values())
    print(f"{killed + survived} checked: {killed} killed, {survived} survived")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
