"""The raw Graph assets through Dagster against the simulator: a partition range in one run,
nothing half-written on failure, deprecated windows refused before any call, no token anywhere."""

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from assets import graph_raw
from pipelines import warehouse
from pipelines.graph.dates import account_today
from pipelines.run_errors import failure_to_error
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World
from tests.graph.simulated import SIZE, TODAY, fast_resources, landed, recording_simulator, truth

SEED = 4
TOKEN = "asset-canary-token-9a8b7c"
SECRET = "asset-canary-secret-1d2e"
ASSETS = [graph_raw.graph_entities, graph_raw.campaign_insights, graph_raw.delivery_estimates]


@pytest.fixture
def world():
    return World(seed=SEED, size=SIZE, today=TODAY)


def _configure(monkeypatch, url, accounts, windows=None, token=TOKEN):
    monkeypatch.setenv("META_GRAPH_URL", url)
    monkeypatch.setenv("META_ACCESS_TOKEN", token)
    monkeypatch.setenv("META_APP_SECRET", SECRET)
    monkeypatch.setenv("META_AD_ACCOUNT_IDS", ",".join(f"act_{a}" for a in accounts))
    if windows:
        monkeypatch.setenv("MMLENS_ATTRIBUTION_WINDOWS", windows)


def _materialize(home: Path, instance, since: date, until: date, selection=ASSETS) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        selection,
        resources=fast_resources(home),
        instance=instance,
        tags={"dagster/asset_partition_range_start": since.isoformat(), "dagster/asset_partition_range_end": until.isoformat()},
        raise_on_error=False,
    )


def _tables(home: Path) -> dict[str, list[tuple]]:
    names = ("ad_accounts", "message_campaigns", "campaign_insights_daily", "campaign_actions_daily", "delivery_estimates")
    with warehouse.connect(home / "warehouse.duckdb", read_only=True) as con:
        return {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in names}  # noqa: S608 - fixed names


def _instance(path: Path):
    path.mkdir(parents=True, exist_ok=True)
    return dg.instance_for_test(temp_dir=str(path))


def _files_containing(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_range_run_lands_truth_once_per_account_and_leaks_nothing(monkeypatch, tmp_path, world, home):
    # 20 days: Dagster records one materialization per partition of the range, so a long range is
    # slow to store; the 90-day figures are proven against the truth in tests/graph.
    until = world.history(world.accounts[0].account_id)[1]
    since = until - timedelta(days=19)
    ids = [a.account_id for a in world.accounts]
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=SECRET) as url:
        _configure(monkeypatch, url, ids)
        with _instance(tmp_path / "dagster") as instance:
            result = _materialize(home, instance, since, until)
            assert result.success
            tables = _tables(home)
            assert _materialize(home, instance, since, until).success
    assert _tables(home) == tables, "a re-run of the same range gives identical tables"
    got_insights, got_actions = landed(tables)
    want_insights, want_actions = truth(world)
    in_range = lambda rows: {r for r in rows if since <= r[1] <= until}  # noqa: E731
    assert got_insights == in_range(want_insights) and got_actions == in_range(want_actions)
    assert len(tables["ad_accounts"]) == 2 and len(tables["message_campaigns"]) == 8
    for row in tables["delivery_estimates"]:
        account = world.account(row[0])
        want = world.delivery_estimate(row[0], row[2], None, None, None, world.account_today(row[0]))
        # The snapshot is dated by our clock (today in the account's zone); the simulator's world
        # lives on its own fixed "today", which is what its estimate is computed for.
        assert row[1] == account_today(account.timezone_name) and row[3] is None
        assert (row[4], row[5]) == (want["estimate_delivery_lower_bound"], want["estimate_delivery_upper_bound"])
        assert row[6] * account.currency_offset == want["estimate_cost_lower_bound"]
        assert row[7] * account.currency_offset == want["estimate_cost_upper_bound"]
    assert {r[0] for r in tables["delivery_estimates"]} == set(ids)

    insights_event = result.asset_materializations_for_node("campaign_insights")[0]
    assert insights_event.metadata["async_jobs"].value == 2  # one job per account for the whole range
    assert insights_event.metadata["rows_pulled"].value == len(in_range(want_insights))
    per_day = {e.partition: e.metadata["dagster/partition_row_count"].value
               for e in result.asset_materializations_for_node("campaign_insights") if e.asset_key == graph_raw.INSIGHTS}
    assert per_day == {day.isoformat(): sum(1 for r in want_insights if r[1] == day)
                       for day in (since + timedelta(days=n) for n in range(20))}
    for needle in (TOKEN, SECRET):
        assert _files_containing(tmp_path, needle.encode()) == []


def test_a_failing_account_writes_nothing_and_says_why_in_one_line(monkeypatch, tmp_path, world, home):
    ids = [a.account_id for a in world.accounts]
    since, until = date(2026, 5, 1), date(2026, 5, 10)
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=SECRET) as url:
        _configure(monkeypatch, url, ids)
        with _instance(tmp_path / "dagster") as instance:
            assert _materialize(home, instance, since, until, [graph_raw.campaign_insights]).success
            before = _tables(home)
        with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=SECRET,
                               forbidden_accounts=frozenset({ids[1]})) as url2:
            _configure(monkeypatch, url2, ids)
            with _instance(tmp_path / "dagster2") as instance:
                result = _materialize(home, instance, since, until, [graph_raw.campaign_insights])
    assert not result.success
    # A permission error never gets better by waiting: the step's retry policy is not used.
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    message = failure.cause.message if failure.cause else failure.message
    assert f"act_{ids[1]}: missing permission (code 200)" in message
    assert _tables(home) == before
    assert _files_containing(tmp_path, TOKEN.encode()) == []
    error = failure_to_error(result)  # what `mmlens run` prints, with exit code 2
    assert error.exit_code == 2 and str(error).startswith(f"act_{ids[1]}: missing permission (code 200)")
    assert "\n" not in str(error)


def test_later_steps_reuse_the_entities_of_their_own_run_only(monkeypatch, tmp_path, world, home):
    """In one run the account node and the campaign list are read once, by the entities step; a
    later run without that step cannot know whether the landed ones are current, so it reads them."""
    ids = [a.account_id for a in world.accounts]
    since, until = date(2026, 5, 1), date(2026, 5, 10)
    with recording_simulator(world, access_token=TOKEN, app_secret=SECRET) as (url, simulator):
        _configure(monkeypatch, url, ids)
        with _instance(tmp_path / "dagster") as instance:
            assert _materialize(home, instance, since, until).success
            whole, simulator.requests[:] = list(simulator.requests), []
            tables = _tables(home)
            later = [graph_raw.campaign_insights, graph_raw.delivery_estimates]
            assert _materialize(home, instance, since, until, later).success
            alone = list(simulator.requests)
    assert _tables(home) == tables

    def entity_reads(requests: list[tuple[str, str]]) -> Counter:
        # The insights job's submission, polls and pages vary with timing; these paths do not.
        wanted = lambda p: p.startswith("act_") and ("/" not in p or p.endswith(("/ads", "/message_delivery_estimate")))  # noqa: E731
        return Counter((m, p) for m, p in requests if wanted(p))

    assert entity_reads(whole) == Counter(
        {(m, p.format(a)): 1 for a in ids for m, p in (
            ("GET", "act_{}"), ("GET", "act_{}/ads"), ("GET", "act_{}/message_delivery_estimate"))})
    # Alone: insights and estimates read the node each, insights lists the message campaigns (the
    # estimate's Page is the landed one), and nothing else.
    assert entity_reads(alone) == Counter(
        {(m, p.format(a)): n for a in ids for m, p, n in (
            ("GET", "act_{}", 2), ("GET", "act_{}/ads", 1), ("GET", "act_{}/message_delivery_estimate", 1))})


def test_wrong_token_fails_the_run_with_exit_code_2(monkeypatch, tmp_path, world, home):
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=SECRET) as url:
        _configure(monkeypatch, url, [a.account_id for a in world.accounts], token="not-the-token")
        with _instance(tmp_path / "dagster") as instance:
            result = _materialize(home, instance, date(2026, 5, 1), date(2026, 5, 2))
    assert not result.success
    error = failure_to_error(result)
    assert error.exit_code == 2 and "access token rejected (code 190)" in str(error) and "\n" not in str(error)
    with warehouse.connect(home / "warehouse.duckdb") as con:
        assert con.execute("select count(*) from raw.campaign_insights_daily").fetchone() == (0,)


def test_deprecated_window_is_refused_before_any_call(monkeypatch, tmp_path, home):
    """Settings refuse it at load; the asset checks again before the client exists."""
    monkeypatch.setenv("MMLENS_ATTRIBUTION_WINDOWS", "7d_click")
    monkeypatch.setenv("META_GRAPH_URL", "http://127.0.0.1:9")  # nothing listens: any call would fail differently
    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("META_AD_ACCOUNT_IDS", "1")
    calls = []
    original = graph_raw.pull.check_windows

    def deprecated(windows):
        calls.append(windows)
        return original(("7d_view",))

    monkeypatch.setattr(graph_raw.pull, "check_windows", deprecated)
    monkeypatch.setattr(graph_raw.pull, "make_client", lambda *a, **k: pytest.fail("client created"))
    with _instance(tmp_path / "dagster") as instance:
        result = _materialize(home, instance, date(2026, 5, 1), date(2026, 5, 2), [graph_raw.campaign_insights])
    assert not result.success and calls
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    message = failure.cause.message if failure.cause else failure.message
    assert "'7d_view' is deprecated" in message


def test_the_graph_resource_refers_to_its_secrets_by_name(monkeypatch) -> None:
    """The resource holds EnvVar references (Dagster stores the names); the demo's run config for
    shorter polls names them again, since run config replaces the whole resource config."""
    from pipelines.resources import graph_run_config

    monkeypatch.setenv("META_ACCESS_TOKEN", TOKEN)
    assert graph_run_config(0.1, 0.5) == {"resources": {"graph": {"config": {
        "access_token": {"env": "META_ACCESS_TOKEN"}, "poll_initial_seconds": 0.1, "poll_max_seconds": 0.5}}}}
    monkeypatch.setenv("META_APP_SECRET", SECRET)
    config = graph_run_config(0.1, 0.5)["resources"]["graph"]["config"]
    assert config["app_secret"] == {"env": "META_APP_SECRET"}
    from pipelines.definitions import defs

    graph = defs.resources["graph"]
    assert isinstance(graph.access_token, dg.EnvVar) and graph.access_token.env_var_name == "META_ACCESS_TOKEN"


def test_graph_steps_retry_transient_faults_only() -> None:
    from assets.retries import GRAPH_RETRY, usage_errors_are_final
    from pipelines.errors import UsageError
    from pipelines.graph.errors import GraphError

    for assets_def in ASSETS:
        assert assets_def.op.retry_policy == GRAPH_RETRY
    assert (GRAPH_RETRY.max_retries, GRAPH_RETRY.delay) == (2, 120)

    @usage_errors_are_final
    def pull_rows(error: Exception):
        yield 1
        raise error

    with pytest.raises(GraphError):
        list(pull_rows(GraphError("act_1: service unavailable on every one of 10 attempts")))
    with pytest.raises(dg.Failure) as final:
        list(pull_rows(UsageError("act_1: the access token was rejected (code 190)")))
    assert final.value.allow_retries is False and isinstance(final.value.__cause__, UsageError)
    # A Graph URL that takes no connection fails the step at once: a CLI run says so in seconds.
    from pipelines.graph.errors import GraphUnreachableError

    with pytest.raises(dg.Failure) as unreachable:
        list(pull_rows(GraphUnreachableError("act_1: cannot connect to the Graph API at http://127.0.0.1:9")))
    assert unreachable.value.allow_retries is False
