"""Acceptance against the simulator: exact numbers, faults change nothing, re-runs are identical,
restatements land, bad credentials fail in one line, and the token never leaks."""

import logging
import traceback
from datetime import date, timedelta

import pytest

from pipelines.errors import UsageError
from pipelines.graph import pull
from pipelines.graph.errors import GraphAuthError, GraphPermissionError, UnknownAccountError
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World
from tests.graph.simulated import FAST, SIM_OPTIONS, SIZE, TODAY, dump, history_range, landed, make_client, pull_into, truth

SEED = 11
TOKEN = "sim-canary-token-5f2c9d"


@pytest.fixture(scope="module")
def world():
    return World(seed=SEED, size=SIZE, today=TODAY)


@pytest.fixture(scope="module")
def fault_free(world, tmp_path_factory):
    """90 days x 2 accounts, no faults: the reference run the other tests compare with."""
    db = tmp_path_factory.mktemp("clean") / "w.duckdb"
    since, until = history_range(world)
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN) as url:
        with make_client(url, TOKEN) as client:
            pulls = pull_into(db, client, [a.account_id for a in world.accounts], since, until)
            requests = client.stats.requests
    return dump(db), pulls, requests


def test_raw_tables_equal_the_simulator_truth(world, fault_free):
    tables, pulls, requests = fault_free
    assert landed(tables) == truth(world)
    assert len(tables["campaign_insights_daily"]) > 300
    assert [p.jobs for p in pulls] == [1, 1], "one async job per account for the whole range"
    assert requests < 40
    accounts = {r[0]: r for r in tables["ad_accounts"]}
    for account in world.accounts:
        row = accounts[account.account_id]
        assert (row[2], row[3], row[4]) == (account.currency, account.currency_offset, account.timezone_name)
    campaigns = {r[0]: r for r in tables["message_campaigns"]}
    for campaign in world.all_campaigns():
        row = campaigns[campaign.message_campaign_id]
        offset = world.account(campaign.account_id).currency_offset
        budget = campaign.daily_budget_minor if campaign.daily_budget_minor is not None else campaign.lifetime_budget_minor
        assert (row[5] if campaign.daily_budget_minor is not None else row[6]) * offset == budget
        assert (row[3], row[9], row[11]) == (campaign.page_id, campaign.pixel_id, campaign.ad_id)
        assert row[7] == campaign.start_time


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_faults_do_not_change_the_tables(seed, tmp_path):
    """30 % of requests fail (HTML 5xx, code 2, truncated, dropped, slow) and jobs fail or expire:
    the tables equal the fault-free run of the same world."""
    world = World(seed=seed, size=SIZE, today=TODAY)
    since, until = history_range(world)
    ids = [a.account_id for a in world.accounts]
    results = []
    for rate in (0.0, 0.3):
        db = tmp_path / f"w{rate}.duckdb"
        with running_simulator(seed=seed, size=SIZE, today=TODAY, access_token=TOKEN, faults=rate, **SIM_OPTIONS) as url:
            with make_client(url, TOKEN) as client:
                pull_into(db, client, ids, since, until)
                results.append((dump(db), client.stats.retries))
    (clean, clean_retries), (faulty, faulty_retries) = results
    assert clean_retries == 0 and faulty_retries > 0
    assert faulty == clean
    assert landed(clean) == truth(world)


def test_three_runs_give_identical_tables(world, tmp_path):
    since, until = history_range(world)
    ids = [a.account_id for a in world.accounts]
    dumps = []
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN) as url:
        with make_client(url, TOKEN) as client:
            for _ in range(3):
                pull_into(tmp_path / "w.duckdb", client, ids, since, until)
                dumps.append(dump(tmp_path / "w.duckdb"))
    assert dumps[0] == dumps[1] == dumps[2]


def test_rerun_after_restatement_lands_restated_values(world, fault_free, tmp_path):
    """Conversions are restated for 28 days: a later re-pull of the same range replaces them."""
    since, until = history_range(world)
    later = TODAY + timedelta(days=5)
    restated = World(seed=SEED, size=SIZE, today=later)
    db = tmp_path / "w.duckdb"
    ids = [a.account_id for a in world.accounts]
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN) as url:
        with make_client(url, TOKEN) as client:
            pull_into(db, client, ids, since, until)
    with running_simulator(seed=SEED, size=SIZE, today=later, access_token=TOKEN) as url:
        with make_client(url, TOKEN) as client:
            pull_into(db, client, ids, since, until)
    got_insights, got_actions = landed(dump(db))
    want_insights, want_actions = truth(restated)
    in_range = lambda rows: {r for r in rows if since <= r[1] <= until}  # noqa: E731
    assert got_actions == in_range(want_actions)
    assert got_insights == in_range(want_insights)
    assert got_actions != landed(fault_free[0])[1], "the restatement changed some conversions"


@pytest.mark.parametrize(
    ("token", "accounts", "options", "cls", "code"),
    [
        ("wrong-token", None, {}, GraphAuthError, "code 190"),
        (TOKEN, ["999999999"], {}, UnknownAccountError, "code 100"),
        (TOKEN, "forbidden", {}, GraphPermissionError, "code 200"),
    ],
)
def test_bad_credentials_fail_in_one_line(world, tmp_path, token, accounts, options, cls, code):
    ids = [a.account_id for a in world.accounts]
    if accounts == "forbidden":
        options = {"forbidden_accounts": frozenset({ids[1]})}
        accounts = ids
    accounts = accounts or ids
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, **options) as url:
        with make_client(url, token) as client:
            with pytest.raises(cls) as raised:
                pull_into(tmp_path / "w.duckdb", client, accounts, date(2026, 5, 1), date(2026, 5, 7))
            assert client.stats.retries == 0
    message = str(raised.value)
    assert isinstance(raised.value, UsageError) and raised.value.exit_code == 2
    assert code in message and "\n" not in message and "act_" in message
    assert not (tmp_path / "w.duckdb").exists(), "nothing is written when an account fails"


def test_canary_token_never_leaks_into_logs_exceptions_or_duckdb(world, tmp_path, caplog, capfd):
    """Every log record (httpx's request lines included), printed output, error and DuckDB byte
    stays free of the token and the app secret, although `paging.next` URLs carry the token."""
    caplog.set_level(logging.DEBUG)
    secret = "canary-app-secret-77"
    since, until = history_range(world)
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=secret,
                           faults=0.2, **SIM_OPTIONS) as url:
        with make_client(url, TOKEN, secret) as client:
            pull_into(tmp_path / "w.duckdb", client, [a.account_id for a in world.accounts], since, until)
    out, err = capfd.readouterr()
    for needle in (TOKEN, secret):
        assert needle not in caplog.text and needle not in out + err
        for path in tmp_path.rglob("*"):
            assert needle.encode() not in path.read_bytes()
    assert "HTTP Request" in caplog.text, "httpx's request log lines were captured and checked"


def test_canary_token_never_leaks_into_exceptions(world, tmp_path):
    """Errors from every layer, including retries given up on, keep the token out."""
    secret = "canary-app-secret-77"
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, app_secret=secret,
                           forbidden_accounts=frozenset({world.accounts[0].account_id})) as url:
        with make_client(url, TOKEN, secret) as client:
            with pytest.raises(GraphPermissionError) as raised:
                pull.pull_insights(client, world.accounts[0].account_id, date(2026, 5, 1), date(2026, 5, 2), ["7d_click"], FAST.poll)
    text = "".join(traceback.format_exception(raised.value)) + repr(raised.value)
    assert TOKEN not in text and secret not in text


def test_throttling_slows_down_without_changing_the_result(world, fault_free, tmp_path):
    """A budget of one call per account per second: Meta's throttling errors and usage headers pause
    that account (honouring estimated_time_to_regain_access, capped for the test) and the tables are
    unchanged. Any two calls for one account within a second are refused, and the client makes such
    pairs back to back (the account, then its campaigns; a report run, then its first poll), so the
    throttling happens however slowly the machine runs; a one-second wait always regains access."""
    since, until = history_range(world)
    ids = [a.account_id for a in world.accounts]
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN,
                           account_budget=1, throttle_window_seconds=1.0) as url:
        with make_client(url, TOKEN) as client:
            pull_into(tmp_path / "w.duckdb", client, ids, since, until)
            assert client.stats.by_kind.get("throttled", 0) > 0 and client.pacer.waited_seconds > 0
    assert dump(tmp_path / "w.duckdb") == fault_free[0]
