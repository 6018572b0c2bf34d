"""`mmlens run` refuses, before any run starts, a range Dagster cannot record or Meta cannot answer."""

from datetime import UTC, datetime

import pytest

from pipelines.errors import UsageError
from pipelines.run_commands import _check_partitions

# 2027-03-01 12:00 UTC is 00:00 on Mar 1 at UTC-12, the zone furthest behind: 37 months before
# it is 2024-02-01 (reference §1.4: older starts are error 3018).
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("start", "end"), [("2024-02-01", "2024-02-01"), ("2024-02-01", "2027-03-01"), ("2027-03-01", "2027-03-01")])
def test_ranges_inside_partitions_and_retention_are_accepted(start, end):
    _check_partitions(start, end, NOW)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-01-31", "2024-02-05", "run: 2024-01-31 is more than 37 months ago; Meta keeps insights from 2024-02-01 (error 3018)"),
        ("2027-02-01", "2027-03-02", "run: 2027-03-02 is after the last partition (2027-03-01, today in UTC)"),
        ("2023-12-31", "2024-01-02", "run: 2023-12-31 is before the first partition (2024-01-01)"),
    ],
)
def test_ranges_outside_are_refused_with_one_line(start, end, message):
    with pytest.raises(UsageError) as refused:
        _check_partitions(start, end, NOW)
    assert str(refused.value) == message


# The simulator's world of seed 11 has an account in America/Los_Angeles (UTC-7 in summer) and one in
# Asia/Tokyo (UTC+9). Expected ranges written by hand from those offsets; in UTC both accounts would
# give the same range, which is not the union below.
@pytest.mark.parametrize(
    ("now", "preset", "expected"),
    [
        # 20:00 UTC on May 31: 13:00 May 31 in Los Angeles, 05:00 June 1 in Tokyo (UTC: 05-28..05-30).
        (datetime(2026, 5, 31, 20, 0, tzinfo=UTC), "last_3d", ("2026-05-28", "2026-05-31")),
        (datetime(2026, 5, 31, 20, 0, tzinfo=UTC), "yesterday", ("2026-05-30", "2026-05-31")),
        # 03:00 UTC on June 1: 20:00 May 31 in Los Angeles, 12:00 June 1 in Tokyo (UTC: 05-29..05-31).
        (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), "last_3d", ("2026-05-28", "2026-05-31")),
        (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), "today", ("2026-05-31", "2026-06-01")),
    ],
)
def test_a_date_preset_is_resolved_in_each_accounts_time_zone_and_the_run_covers_their_union(tmp_path, now, preset, expected):
    from pipelines.run_commands import _preset_range
    from pipelines.settings import load_settings
    from pipelines.simulator.server import running_simulator
    from tests.graph.simulated import SIZE, TODAY

    with running_simulator(seed=11, size=SIZE, today=TODAY, access_token="sim-token") as url:
        settings = load_settings({"META_GRAPH_URL": url, "META_ACCESS_TOKEN": "sim-token", "MMLENS_HOME": str(tmp_path),
                                  "META_AD_ACCOUNT_IDS": "act_119617540289729,act_5277229908400634"}, env_file=None)
        assert _preset_range(settings, preset, now) == expected
