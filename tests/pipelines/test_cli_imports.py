"""Commands that do not run Dagster do not import it (the receiver starts with a third of the objects)."""

import subprocess
import sys

import pytest

PROBE = """
import sys
from pipelines.cli import main
code = main({argv!r})
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'dagster', 'polars', 'duckdb', 'plotly'}})
print('HEAVY=' + ','.join(heavy))
"""


@pytest.mark.parametrize("argv", [["webhooks", "serve", "--help"], ["simulator", "serve", "--help"], ["--help"]])
def test_commands_that_do_not_run_dagster_do_not_import_it(argv):
    done = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY="
