"""--since / --until: exactly YYYY-MM-DD in ASCII digits, for mmlens and for its simulator alike."""

from datetime import date

import pytest

from pipelines import cli_dates
from pipelines.errors import UsageError
from pipelines.simulator import cli as simulator_cli
from pipelines.simulator.errors import SimulatorUsageError

PARSERS = [(cli_dates.parse_day, UsageError), (simulator_cli.parse_day, SimulatorUsageError)]


@pytest.mark.parametrize(("parse", "error"), PARSERS)
@pytest.mark.parametrize("text", ["20261101", "2026-W44-1", "２０２６-11-01", "2026-11-1", "2026-13-01", " 2026-11-01", "2026-11-01T00"])
def test_anything_but_an_iso_day_is_refused(parse, error, text):
    with pytest.raises(error) as refused:
        parse(text, "--since")
    assert str(refused.value) == f"--since: {text!r} is not a date (YYYY-MM-DD)"


@pytest.mark.parametrize(("parse", "error"), PARSERS)
def test_an_iso_day_is_read(parse, error):
    assert parse("2026-02-28", "--until") == date(2026, 2, 28)
