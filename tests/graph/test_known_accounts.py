"""The entities a run landed, read back for its later steps: exactly what was written, and the
pulls that take them give the same rows as the pulls that read the API, with fewer requests."""

import dataclasses
from datetime import date
from decimal import Decimal

from pipelines import warehouse
from pipelines.graph import pull, store
from pipelines.graph.accounts import AdAccount
from pipelines.graph.campaigns import MessageCampaign
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World
from tests.graph.simulated import FAST, SIZE, TODAY, WINDOWS, make_client

SEED = 12
TOKEN = "known-accounts-token"
SYNC = dataclasses.replace(FAST.poll, sync_max_rows=3000)  # as in production: a small range is one page


def _campaign(campaign_id: str, account_id: str) -> MessageCampaign:
    return MessageCampaign(campaign_id, account_id, "Spring", "777", "ACTIVE", Decimal("15.5"), None, None, None,
                           None, None, None)


def test_landed_accounts_are_what_was_written(tmp_path):
    """A JPY account without name or status (offset 1, NULLs) and one without campaigns come back
    as they went in; campaign ids go to their own account."""
    usd = AdAccount("1", "Shop", "USD", 100, "America/Los_Angeles", 1)
    jpy = AdAccount("22", None, "JPY", 1, "Asia/Tokyo", None)
    empty = AdAccount("333", "New", "EUR", 100, "Europe/Berlin", 2)
    campaigns = [_campaign("c2", "1"), _campaign("c1", "1"), _campaign("c9", "22")]
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        store.replace_entities(con, [usd, jpy, empty], campaigns)
        landed = store.landed_accounts(con)
    assert landed == {
        "1": pull.KnownAccount(usd, frozenset({"c1", "c2"})),
        "22": pull.KnownAccount(jpy, frozenset({"c9"})),
        "333": pull.KnownAccount(empty, frozenset()),
    }


def test_pulls_with_the_landed_entities_equal_pulls_that_read_them(tmp_path):
    world = World(seed=SEED, size=SIZE, today=TODAY)
    ids = [a.account_id for a in world.accounts]
    since, until = date(2026, 5, 1), date(2026, 5, 20)
    with running_simulator(seed=SEED, size=SIZE, today=TODAY, access_token=TOKEN, world=world) as url:
        with make_client(url, TOKEN) as client:
            entities = [pull.pull_entities(client, a) for a in ids]
            with warehouse.connect(tmp_path / "w.duckdb") as con:
                store.replace_entities(con, [e.account for e in entities], [c for e in entities for c in e.campaigns])
                known = store.landed_accounts(con)
                pages = dict(con.execute(warehouse.sql_text("queries/campaign_pages_by_account.sql")).fetchall())

            def counted(work, *args, **kwargs):
                before = client.stats.requests
                result = work(client, *args, **kwargs)
                return result, client.stats.requests - before

            for account in ids:
                read, read_requests = counted(pull.pull_insights, account, since, until, WINDOWS, SYNC)
                taken, taken_requests = counted(pull.pull_insights, account, since, until, WINDOWS, SYNC,
                                                known=known[account])
                assert taken == read and taken.rows and taken.sync_reads == 1
                # 20 days x 4 campaigns is one synchronous page; reading the entities costs the
                # account node and the message-campaign listing (one page) on top.
                assert (read_requests, taken_requests) == (3, 1)

                estimate, requests = counted(pull.pull_estimate, account, pages, known[account])
                assert estimate == pull.pull_estimate(client, account, pages) and estimate is not None
                assert requests == 1  # the estimate itself
                # No landed Page: with this run's entities there is no other Page to find, so no call.
                assert counted(pull.pull_estimate, account, {}, known[account]) == (None, 0)
