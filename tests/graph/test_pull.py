"""The pulls the raw Graph assets call, on a scripted Graph API: the client built from the settings,
accounts run side by side (which error wins, who is cancelled), the insights pull's checks and row
filter, and where the estimate's Page comes from."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr

from pipelines.graph import pull
from pipelines.graph.accounts import AdAccount
from pipelines.graph.async_reports import PollPolicy
from pipelines.graph.client import Cancelled, RetryPolicy
from pipelines.graph.dates import months_before
from pipelines.graph.errors import GraphError, GraphUsageError
from pipelines.graph.throttle import PacingPolicy
from pipelines.settings import ConfigError, Settings
from tests.graph.helpers import Recorder, client_for, ok, params_of

ACCOUNT = AdAccount("1", "Shop", "EUR", 100, "UTC", 1)
NODE = {"id": "act_1", "account_id": "1", "name": "Shop", "currency": "EUR", "timezone_name": "UTC", "account_status": 1}
# Synchronous reads for up to 8 rows a range (days x message campaigns), no waits.
SYNC = PollPolicy(initial_seconds=0.0, max_seconds=0.0, timeout_seconds=5.0, stall_seconds=5.0, sync_max_rows=8)
D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


# --- make_client ---------------------------------------------------------------------------------


def _settings(**changes):
    values = {"access_token": SecretStr("tok"), "app_secret": SecretStr("sec"), "ad_account_ids": ("1",),
              "graph_url": "https://graph.test/", "api_version": "v24.0"}
    return Settings(**{**values, **changes})


def _recording(monkeypatch):
    monkeypatch.setattr(pull, "GraphClient", lambda *args, **kwargs: (args, kwargs))


def test_make_client_takes_the_settings_and_the_timing(monkeypatch):
    _recording(monkeypatch)
    timing = pull.GraphTiming(retry=RetryPolicy(max_attempts=2), pacing=PacingPolicy(slow_seconds=0.5))
    assert pull.make_client(_settings(), timing) == (
        ("https://graph.test/", "v24.0", "tok", "sec"), {"retry": RetryPolicy(max_attempts=2), "pacing": PacingPolicy(slow_seconds=0.5)}
    )


def test_make_client_defaults_to_the_run_timing_and_no_secret(monkeypatch):
    _recording(monkeypatch)
    assert pull.make_client(_settings(app_secret=None)) == (
        ("https://graph.test/", "v24.0", "tok", None), {"retry": RetryPolicy(), "pacing": PacingPolicy()}
    )


def test_graph_timing_defaults():
    assert pull.GraphTiming() == pull.GraphTiming(RetryPolicy(), pull.RUN_POLICY, PacingPolicy())


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"access_token": None}, "META_ACCESS_TOKEN: required"), ({"ad_account_ids": ()}, "META_AD_ACCOUNT_IDS: required")],
)
def test_make_client_refuses_settings_a_run_cannot_use(monkeypatch, changes, message):
    _recording(monkeypatch)
    with pytest.raises(ConfigError, match=message):
        pull.make_client(_settings(**changes))


def test_a_real_client_reaches_the_configured_api():
    client = pull.make_client(_settings())
    try:
        assert client.secrets[:2] == ("tok", "sec")
        assert client.retry == RetryPolicy() and client.pacer.policy == PacingPolicy()
    finally:
        client.close()


def test_check_windows_keeps_the_order():
    assert pull.check_windows(["1d_view", "7d_click"]) == ("1d_view", "7d_click")
    assert pull.check_windows(["7d_click"]) == ("7d_click",)


# --- for_each_account ----------------------------------------------------------------------------


class FakeClient:
    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()


def test_no_accounts_no_work():
    assert pull.for_each_account([], lambda a: 1 / 0) == []


def test_results_in_account_order_and_no_cancel_on_success():
    client = FakeClient()
    started = {a: threading.Event() for a in "abc"}

    def work(account):
        started[account].set()
        if account == "a":  # the first finishes last
            assert started["c"].wait(10)
        return account * 2

    assert pull.for_each_account(["a", "b", "c"], work, client, max_workers=3) == ["aa", "bb", "cc"]
    assert not client.cancelled.is_set()


def test_one_worker_runs_accounts_one_after_the_other():
    """max_workers=1: the second account has not started while the first runs (the first waits a
    little for it; with two workers it would have started)."""
    second_started = threading.Event()
    seen = []

    def work(account):
        if account == "1":
            seen.append(second_started.wait(0.5))
        else:
            second_started.set()
        return account

    assert pull.for_each_account(["1", "2"], work, max_workers=1) == ["1", "2"]
    assert seen == [False]


def test_accounts_run_side_by_side_and_zero_workers_means_one():
    """Two accounts with the default four workers run at the same time (each waits for the other)."""
    barrier = threading.Barrier(2, timeout=10)
    assert pull.for_each_account(["1", "2"], lambda a: (barrier.wait(), a)[1]) == ["1", "2"]
    assert pull.for_each_account(["1", "2"], lambda a: a, max_workers=0) == ["1", "2"]


def test_a_failure_cancels_the_client_while_the_others_still_run():
    client = FakeClient()
    seen = []

    def work(account):
        if account == "2":
            raise ValueError("account 2 failed")
        seen.append(client.cancelled.wait(10))  # ends when the run cancels the client
        return account

    with pytest.raises(ValueError, match="account 2 failed"):
        pull.for_each_account(["1", "2"], work, client)
    assert seen == [True]


def test_the_first_failure_in_account_order_wins():
    """Account 2 fails first in time, account 1 later: account 1's error is raised."""
    client = FakeClient()
    second_failed = threading.Event()

    def work(account):
        if account == "2":
            second_failed.set()
            raise ValueError("second")
        assert second_failed.wait(10)
        client.cancelled.wait(10)
        raise ValueError("first")

    with pytest.raises(ValueError, match="^first$"):
        pull.for_each_account(["1", "2"], work, client)


def test_a_real_failure_wins_over_the_cancellations_it_caused():
    client = FakeClient()

    def work(account):
        if account == "2":
            raise ValueError("real")
        client.cancelled.wait(10)
        raise Cancelled("act_1: cancelled")

    with pytest.raises(ValueError, match="^real$"):
        pull.for_each_account(["1", "2"], work, client)


def test_only_cancellations_raise_the_first():
    def work(account):
        raise Cancelled(f"act_{account}: cancelled")

    with pytest.raises(Cancelled, match="^act_1: cancelled$"):
        pull.for_each_account(["1", "2"], work, max_workers=1)


def test_a_failure_without_a_client_still_raises():
    def work(account):
        raise ValueError(account)

    with pytest.raises(ValueError, match="^1$"):
        pull.for_each_account(["1"], work)


# --- pull_insights -------------------------------------------------------------------------------


def _mm(campaign, day, spend="1.00", delivered="4", purchases=None):
    row = {"campaign_id": campaign, "account_currency": "EUR", "marketing_messages_spend": spend,
           "marketing_messages_delivered": delivered, "date_start": day.isoformat(), "date_stop": day.isoformat()}
    if purchases:
        row["actions"] = [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": purchases, "7d_click": purchases}]
    return row


class Api:
    """The account node, the message-campaign listing (c1, c2) and synchronous insights `rows`."""

    def __init__(self, rows, listing=None, estimate=None):
        self.rows = rows
        self.listing = listing if listing is not None else [
            {"id": "a1", "campaign": {"id": "c1", "is_message_campaign": True}},
            {"id": "a2", "campaign": {"id": "c2", "is_message_campaign": True}},
        ]
        self.estimate = estimate
        self.rec = Recorder(self.handle)

    def handle(self, request):
        path = request.url.path.removeprefix("/v25.0/")
        if path == "act_1":
            return ok(NODE)
        if path == "act_1/ads":
            return ok({"data": self.listing})
        if path == "act_1/insights" and request.method == "GET":
            return ok({"data": self.rows})
        if path == "act_1/message_delivery_estimate":
            return ok({"data": [self.estimate]})
        raise AssertionError(f"unexpected {request.method} {path}")

    def client(self):
        return client_for(self.rec)[0]


def test_insights_keep_message_campaign_rows_sorted_and_skip_regular_ones():
    """c1 (listed, with MM metrics), c2 (listed, no MM metric), m3 (not listed, MM metrics) are
    kept; r9 (neither) is skipped. Rows come back sorted by campaign and day."""
    rows = [
        _mm("m3", D2, "2.00"),
        {"campaign_id": "c2", "date_start": D1.isoformat(), "date_stop": D1.isoformat()},  # currency: the account's
        {"campaign_id": "r9", "spend": "5.00", "date_start": D1.isoformat(), "date_stop": D1.isoformat()},
        _mm("c1", D2, "1.50", purchases="2"),
        _mm("c1", D1, "1.25", purchases="1"),
    ]
    api = Api(rows)
    progress = []
    got = pull.pull_insights(api.client(), "1", D1, D2, ["7d_click"], SYNC, on_progress=lambda *a: progress.append(a))
    assert [(r.message_campaign_id, r.date, r.spend) for r in got.rows] == [
        ("c1", D1, Decimal("1.25")), ("c1", D2, Decimal("1.50")), ("c2", D1, Decimal("0")), ("m3", D2, Decimal("2.00"))
    ]
    assert {r.ad_account_id for r in got.rows} == {"1"} and {r.currency for r in got.rows} == {"EUR"}
    assert [(a.message_campaign_id, a.date, a.attribution_window, a.conversions) for a in got.actions] == [
        ("c1", D1, "7d_click", 1), ("c1", D1, "default", 1), ("c1", D2, "7d_click", 2), ("c1", D2, "default", 2)
    ]
    assert (got.account, got.since, got.until) == (ACCOUNT, D1, D2)
    assert (got.skipped_rows, got.sync_reads, got.jobs, got.splits) == (1, 1, 0, 0)
    assert api.rec.paths == ["/v25.0/act_1", "/v25.0/act_1/ads", "/v25.0/act_1/insights"]
    assert progress == [("1", D1, D2)]
    params = params_of(api.rec.requests[2])
    assert json.loads(params["time_range"]) == {"since": "2026-11-01", "until": "2026-11-02"}
    assert json.loads(params["action_attribution_windows"]) == ["7d_click"]


def test_insights_with_the_known_account_read_neither_node_nor_listing():
    """The known ids decide the row filter and the expected row count (2 days x 4 = 8: synchronous)."""
    rows = [_mm("c1", D1), {"campaign_id": "k2", "account_currency": "EUR", "date_start": D1.isoformat(),
                            "date_stop": D1.isoformat()}, {"campaign_id": "c2", "date_start": D1.isoformat()}]
    api = Api(rows)
    known = pull.KnownAccount(ACCOUNT, frozenset({"c1", "k2", "k3", "k4"}))
    got = pull.pull_insights(api.client(), "1", D1, D2, ["7d_click"], SYNC, known=known)
    assert [r.message_campaign_id for r in got.rows] == ["c1", "k2"]
    assert (got.skipped_rows, got.sync_reads, got.jobs) == (1, 1, 0)
    assert api.rec.paths == ["/v25.0/act_1/insights"]


def test_insights_more_rows_than_a_synchronous_read_go_async():
    """Five known campaigns for two days are 10 rows, more than SYNC's 8: an async job."""
    api = Api([])
    known = pull.KnownAccount(ACCOUNT, frozenset({"c1", "c2", "c3", "c4", "c5"}))
    with pytest.raises(AssertionError, match="unexpected POST act_1/insights"):
        pull.pull_insights(api.client(), "1", D1, D2, ["7d_click"], SYNC, known=known)


def test_insights_default_policy_reads_a_small_range_synchronously():
    api = Api([_mm("c1", D1)])
    got = pull.pull_insights(api.client(), "1", D1, D1, ["7d_click"])
    assert (got.sync_reads, got.jobs, [r.date for r in got.rows]) == (1, 0, [D1])


def test_insights_a_campaign_twice_on_one_day_is_refused():
    api = Api([_mm("c1", D1), _mm("c1", D1)])
    with pytest.raises(GraphError) as caught:
        pull.pull_insights(api.client(), "1", D1, D2, ["7d_click"], SYNC)
    assert str(caught.value) == "act_1: campaign c1 appears twice for 2026-11-01"


def test_insights_since_after_until_is_refused_before_any_call():
    api = Api([])
    with pytest.raises(GraphError) as caught:
        pull.pull_insights(api.client(), "1", D2, D1, ["7d_click"], SYNC)
    assert str(caught.value) == "act_1: since 2026-11-02 is after until 2026-11-01"
    assert api.rec.paths == []


def test_insights_retention_limit_is_inclusive():
    """The oldest day Meta accepts (37 months before the account's today) is read; the day before
    is refused with the oldest day named."""
    oldest = months_before(datetime.now(UTC).date(), 37)
    known = pull.KnownAccount(ACCOUNT, frozenset({"c1"}))
    api = Api([])
    got = pull.pull_insights(api.client(), "1", oldest, oldest, ["7d_click"], SYNC, known=known)
    assert (got.since, got.rows) == (oldest, [])
    before = date.fromordinal(oldest.toordinal() - 1)
    with pytest.raises(GraphUsageError) as caught:
        pull.pull_insights(api.client(), "1", before, oldest, ["7d_click"], SYNC, known=known)
    assert str(caught.value) == (
        f"act_1: insights start {before} is more than 37 months ago (Meta answers code 3018); "
        f"the oldest day available is {oldest}"
    )


# --- pull_entities and pull_estimate -------------------------------------------------------------

ESTIMATE = {"estimate_delivery_lower_bound": "10", "estimate_delivery_upper_bound": "20",
            "estimate_cost_lower_bound": "150", "estimate_cost_upper_bound": "300"}


def _listed(campaign, page):
    return {"id": f"a{campaign}", "creative": {"actor_id": page} if page is not None else {},
            "adset": {"promoted_object": {}}, "campaign": {"id": campaign, "is_message_campaign": True}}


def test_pull_entities_reads_the_account_and_its_campaigns():
    api = Api([], listing=[_listed("c2", "p2"), _listed("c1", None)])
    got = pull.pull_entities(api.client(), "1")
    assert got.account == ACCOUNT
    assert [(c.message_campaign_id, c.ad_account_id, c.page_id) for c in got.campaigns] == [("c1", "1", None), ("c2", "1", "p2")]


def _estimate_page(api):
    return json.loads(params_of(api.rec.requests[-1])["promoted_object"])["page_id"]


def test_estimate_for_the_landed_page():
    api = Api([], estimate=ESTIMATE)
    before = datetime.now(UTC).date()
    got = pull.pull_estimate(api.client(), "1", {"1": "p7", "9": "p9"})
    assert got is not None and (got.ad_account_id, got.page_id) == ("1", "p7")
    assert got.snapshot_date in {before, datetime.now(UTC).date()}
    assert (got.estimate_delivery_lower_bound, got.estimate_cost_upper_bound) == (10, Decimal("3"))
    assert api.rec.paths == ["/v25.0/act_1", "/v25.0/act_1/message_delivery_estimate"]
    assert _estimate_page(api) == "p7"


def test_estimate_without_a_landed_page_takes_the_first_campaign_page():
    api = Api([], listing=[_listed("c3", "p3"), _listed("c1", None), _listed("c2", "p2")], estimate=ESTIMATE)
    got = pull.pull_estimate(api.client(), "1", {"9": "p9"})
    assert got is not None and got.page_id == "p2"
    assert api.rec.paths == ["/v25.0/act_1", "/v25.0/act_1/ads", "/v25.0/act_1/message_delivery_estimate"]
    assert _estimate_page(api) == "p2"


def test_no_estimate_when_no_campaign_names_a_page():
    api = Api([], listing=[_listed("c1", None)], estimate=ESTIMATE)
    assert pull.pull_estimate(api.client(), "1", {}) is None
    assert api.rec.paths == ["/v25.0/act_1", "/v25.0/act_1/ads"]


def test_estimate_with_the_known_account():
    known = pull.KnownAccount(ACCOUNT, frozenset({"c1"}))
    api = Api([], listing=[_listed("c1", "p1")], estimate=ESTIMATE)
    assert pull.pull_estimate(api.client(), "1", {"9": "p9"}, known) is None
    assert api.rec.paths == []
    got = pull.pull_estimate(api.client(), "1", {"1": "p7"}, known)
    assert got is not None and got.page_id == "p7"
    assert api.rec.paths == ["/v25.0/act_1/message_delivery_estimate"]
