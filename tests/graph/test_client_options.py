"""What the client is built with reaches the wire: the base URL, the timeouts, the User-Agent, the
seed of the backoff, the pacing policy and clock; POSTs and `paging.next` calls keep the account."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from decimal import Decimal

import httpx
import pytest

from pipelines.errors import UsageError
from pipelines.graph.client import Cancelled, GraphClient, RetryPolicy, decode_json
from pipelines.graph.errors import GraphError
from pipelines.graph.throttle import PacingPolicy
from tests.graph.helpers import BASE, TOKEN, Recorder, client_for, error, ok, params_of


def _client(handler, base: str = BASE, **options) -> GraphClient:
    return GraphClient(base, "v25.0", TOKEN, transport=httpx.MockTransport(handler), **options)


@pytest.mark.parametrize(
    ("base", "path"),
    [
        ("https://graph.test", "/v25.0/act_1"),
        ("https://graph.test/", "/v25.0/act_1"),
        ("https://graph.test//", "/v25.0/act_1"),
        # a prefix of a proxy's is kept, every character of it but the trailing slash
        ("https://graph.test/relay/X/", "/relay/X/v25.0/act_1"),
    ],
)
def test_the_base_url_loses_only_its_trailing_slashes(base, path):
    rec = Recorder(lambda r: ok({}))
    _client(rec, base).get("act_1", account="1")
    assert rec.requests[0].url.path == path


@pytest.mark.parametrize(("path", "sent"), [("act_1", "/v25.0/act_1"), ("/act_1", "/v25.0/act_1"), ("//X1/", "/v25.0/X1/")])
def test_a_path_loses_only_its_leading_slashes(path, sent):
    rec = Recorder(lambda r: ok({}))
    _client(rec).get(path)
    assert rec.requests[0].url.path == sent


def test_each_request_has_the_policy_s_timeout_a_ten_second_connect_and_our_user_agent():
    rec = Recorder(lambda r: ok({}))
    _client(rec, retry=RetryPolicy(timeout_seconds=45.0)).get("act_1", account="1")
    (request,) = rec.requests
    assert request.extensions["timeout"] == {"connect": 10.0, "read": 45.0, "write": 45.0, "pool": 45.0}
    assert request.headers["user-agent"] == "mmlens-graph-client"


def test_the_default_timeout_is_two_minutes():
    rec = Recorder(lambda r: ok({}))
    _client(rec).get("me")
    assert rec.requests[0].extensions["timeout"] == {"connect": 10.0, "read": 120.0, "write": 120.0, "pool": 120.0}


def _three_failures_then_ok():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        return httpx.Response(500, text="oops") if calls["n"] < 4 else ok({})

    return handler


def test_the_backoff_jitter_is_the_seed_s():
    waits: list[list[float]] = []
    for _ in range(2):
        slept: list[float] = []
        _client(_three_failures_then_ok(), sleep=slept.append, seed=11).get("me")
        waits.append(slept)
    assert len(waits[0]) == 3 and waits[0] == waits[1]


def test_usage_at_the_stop_threshold_pauses_the_account_for_the_policy_s_minimum():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        usage = {"call_count": 96 if calls["n"] == 1 else 10, "total_time": 1, "total_cputime": 1}
        return ok({}, headers={"x-app-usage": json.dumps(usage)})

    slept: list[float] = []
    client = _client(handler, pacing=PacingPolicy(min_stop_seconds=7.0), clock=lambda: 50.0, sleep=slept.append)
    client.get("act_1", account="1")
    client.get("act_1", account="1")
    assert slept == [7.0]


def test_a_wait_of_the_client_s_own_sleep_ends_when_its_time_is_up():
    client = _client(lambda r: ok({}))
    done = threading.Event()

    def wait():
        client.pacer.sleep(0.0)
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    try:
        assert done.wait(30), "a zero-second wait did not return"
    finally:
        client.cancel()  # releases the thread if it did block


def test_decimals_stay_decimals():
    body = decode_json('{"spend": 0.1, "rate": 12345678.123456789}')
    assert body == {"spend": Decimal("0.1"), "rate": Decimal("12345678.123456789")}
    assert all(type(value) is Decimal for value in body.values())


def test_an_error_on_a_post_names_the_account():
    client, _ = client_for(lambda r: error(368, message="blocked"))
    with pytest.raises(GraphError) as raised:
        client.post("act_1/insights", {"level": "campaign"}, account="1")
    assert str(raised.value) == "act_1: Graph API error (code 368): blocked"


def test_an_error_on_a_next_page_names_the_account():
    client, _ = client_for(lambda r: error(368, message="blocked"))
    with pytest.raises(GraphError) as raised:
        client.get_next(f"{BASE}/v25.0/act_1/ads?after=A", account="1")
    assert str(raised.value) == "act_1: Graph API error (code 368): blocked"


def test_a_next_url_keeps_its_blank_parameters_and_drops_a_proof_we_do_not_have():
    rec = Recorder(lambda r: ok({"data": []}))
    client, _ = client_for(rec)
    client.get_next(f"{BASE}/v25.0/act_1/ads?limit=2&filtering=&appsecret_proof=abc&access_token={TOKEN}&after=A",
                    account="1")
    assert params_of(rec.requests[0]) == {"limit": "2", "filtering": "", "after": "A"}


def test_a_cancelled_client_refuses_the_next_call_naming_the_account():
    rec = Recorder(lambda r: ok({}))
    client, _ = client_for(rec)
    client.cancel()
    with pytest.raises(Cancelled) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == "act_1: stopped because another ad account failed" and rec.requests == []


def test_a_retry_without_an_account_is_logged_for_the_graph_api(caplog):
    caplog.set_level(logging.WARNING, logger="mmlens.graph")
    client, _ = client_for(_three_failures_then_ok(), attempts=5)
    client.get("me")
    assert [r.getMessage() for r in caplog.records if r.name == "mmlens.graph"] == [
        f"Graph API: Graph call failed (http_5xx); attempt {n} of 5, trying again" for n in (1, 2, 3)
    ]


def _paced(handler, slept: list[float], **retry) -> GraphClient:
    """A client on a clock that stands still: a pause is slept whole, to the hundredth."""
    return _client(handler, pacing=PacingPolicy(min_stop_seconds=0.0), clock=lambda: 0.0, sleep=slept.append,
                   retry=RetryPolicy(base_seconds=0.01, max_seconds=0.05, **retry), seed=1)


def _throttled_once(buc: dict):
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] > 1:
            return ok({})
        response = error(80000, 2446079, message="There have been too many calls")
        response.headers["x-business-use-case-usage"] = json.dumps(buc)
        return response

    return handler


def test_a_throttled_account_is_paused_by_its_pacer_for_meta_s_estimate():
    slept: list[float] = []
    client = _paced(_throttled_once({"1": [{"call_count": 100, "estimated_time_to_regain_access": 2}]}), slept)
    client.get("act_1", account="1")
    assert slept == [120.0] and client.pacer.waited_seconds == 120.0


def test_a_throttled_call_without_an_account_sleeps_meta_s_estimate():
    slept: list[float] = []
    client = _paced(_throttled_once({"1": [{"call_count": 100, "estimated_time_to_regain_access": 2}]}), slept)
    client.get("me")
    assert slept == [120.0] and client.pacer.waited_seconds == 0.0


def test_the_account_s_own_usage_entry_sets_its_pause():
    buc = {"2": [{"estimated_time_to_regain_access": 9}], "1": [{"estimated_time_to_regain_access": 1}]}
    slept: list[float] = []
    client = _paced(lambda r: ok({}, headers={"x-business-use-case-usage": json.dumps(buc)}), slept)
    client.get("act_1", account="1")
    client.get("act_1", account="1")
    assert slept == [60.0]


def test_throttled_on_every_attempt_gives_up_with_meta_s_error():
    slept: list[float] = []
    client = _paced(lambda r: error(17, 2446079, message="User request limit reached"), slept, max_attempts=2)
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == (
        "act_1: Graph API error (code 17/2446079): User request limit reached (gave up after 2 attempts)"
    )
    assert raised.value.info is not None and raised.value.info.http_status == 400


def test_an_error_keeps_its_http_status():
    client, _ = client_for(lambda r: error(368, message="blocked", status=403))
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert raised.value.info is not None and raised.value.info.http_status == 403


def test_without_an_account_an_answer_is_reported_for_the_graph_api():
    client, _ = client_for(lambda r: httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(GraphError) as raised:
        client.get("me")
    assert str(raised.value) == "Graph API: the Graph API answered HTTP 404 without a Graph error"


@pytest.mark.parametrize("status", [300, 399])
def test_every_3xx_is_a_redirect_not_followed(status):
    client, _ = client_for(lambda r: httpx.Response(status, text="<html>choose</html>"))
    with pytest.raises(UsageError) as raised:
        client.get("me")
    assert str(raised.value) == (
        f"Graph API: the Graph API answered HTTP {status} (a redirect, not followed); "
        "check META_GRAPH_URL (https, the exact host)"
    )


def test_a_refused_connection_is_reported_with_the_error_s_own_text_redacted():
    def refuse(request):
        raise httpx.ConnectError(f"refused for {TOKEN}\n   twice", request=request)

    client, _ = client_for(refuse)
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == (
        "act_1: cannot connect to the Graph API at https://graph.test (refused for [redacted] twice, 3 attempts); "
        "check META_GRAPH_URL and the network"
    )


def _refuse_with(text: str):
    def refuse(request):
        raise httpx.ConnectError(text, request=request)

    return refuse


def test_the_connect_error_s_text_is_cut_to_200_characters():
    client, _ = client_for(_refuse_with("y" * 250))
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert str(raised.value) == (
        f"act_1: cannot connect to the Graph API at https://graph.test ({'y' * 200}, 3 attempts); "
        "check META_GRAPH_URL and the network"
    )


def test_a_base_url_without_a_host_is_reported_with_a_question_mark():
    client = _client(_refuse_with("refused"), "http://:8080", sleep=lambda seconds: None)
    with pytest.raises(GraphError) as raised:
        client.get("me")
    assert str(raised.value) == (
        "Graph API: cannot connect to the Graph API at http://?:8080 (refused, 3 attempts); check META_GRAPH_URL and the network"
    )


def test_giving_up_without_an_account_is_reported_for_the_graph_api():
    client, _ = client_for(lambda r: httpx.Response(503, text="down"), attempts=2)
    with pytest.raises(GraphError) as raised:
        client.get("me")
    assert str(raised.value) == "Graph API: http_5xx on every one of 2 attempts"


def test_query_parameters_are_encoded_the_graph_way():
    rec = Recorder(lambda r: ok({}))
    client, _ = client_for(rec)
    client.get("me", {"on": True, "off": False, "spec": {"a": [1, "b"], "n": None}, "days": (date(2026, 1, 1),),
                      "ids": ["1", "2"], "limit": 5, "fields": "id,name"})
    assert params_of(rec.requests[0]) == {
        "on": "true", "off": "false", "spec": '{"a":[1,"b"],"n":null}', "days": '["2026-01-01"]',
        "ids": '["1","2"]', "limit": "5", "fields": "id,name",
    }
