"""Transport: auth in a header, appsecret_proof, retry only what the reference says is transient."""

import hashlib
import hmac
import json

import httpx
import pytest

from pipelines.errors import UsageError
from pipelines.graph.client import decode_json
from pipelines.graph.errors import GraphAuthError, GraphError, GraphPermissionError
from tests.graph.helpers import SECRET, TOKEN, Recorder, client_for, error, ok


def test_token_travels_in_header_with_appsecret_proof():
    rec = Recorder(lambda r: ok({"id": "act_1"}))
    client, _ = client_for(rec, app_secret=SECRET)
    client.get("act_1", {"fields": "id"}, account="1")
    request = rec.requests[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    expected = hmac.new(SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert request.url.params["appsecret_proof"] == expected
    assert TOKEN not in str(request.url)


def test_no_appsecret_proof_without_secret():
    rec = Recorder(lambda r: ok({}))
    client, _ = client_for(rec)
    client.get("me")
    assert "appsecret_proof" not in rec.requests[0].url.params


def _flaky(failure):
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return failure(request)
        return ok({"data": [], "value": "12.50"})

    return handler


def _drop(request):
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (lambda r: httpx.Response(500, text="<html>oops</html>"), "http_5xx"),
        (lambda r: httpx.Response(200, text='{"data": [{"id": "1"'), "truncated"),
        (_drop, "transport:RemoteProtocolError"),
        (lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)), "transport:ReadTimeout"),
        (lambda r: error(2, message="Service temporarily unavailable", is_transient=True), "transient"),
        (lambda r: error(1, message="An unknown error occurred", status=500), "transient"),
        (lambda r: error(17, 2446079, message="User request limit reached"), "throttled"),
        (lambda r: error(80000, 2446079, message="too many calls"), "throttled"),
    ],
)
def test_transient_failures_are_retried(failure, kind):
    """5xx HTML, truncated 200, dropped connections, timeouts, codes 1/2 and throttling codes."""
    client, slept = client_for(_flaky(failure))
    body = client.get("act_1/insights", account="1")
    assert str(body["value"]) == "12.50"
    assert client.stats.requests == 2 and client.stats.retries == 1
    assert client.stats.by_kind == {kind: 1}
    assert slept, "a retry waits before trying again"


@pytest.mark.parametrize(
    ("code", "subcode", "cls"),
    [(190, 460, GraphAuthError), (102, None, GraphAuthError), (10, None, GraphPermissionError), (200, None, GraphPermissionError), (278, None, GraphPermissionError)],
)
def test_auth_and_permission_fail_fast_with_one_line(code, subcode, cls):
    rec = Recorder(lambda r: error(code, subcode, message="Error validating access token"))
    client, _ = client_for(rec)
    with pytest.raises(cls) as raised:
        client.get("act_42/insights", account="42")
    message = str(raised.value)
    assert isinstance(raised.value, UsageError) and raised.value.exit_code == 2
    assert "act_42" in message and f"code {code}" in message and "\n" not in message
    assert len(rec.requests) == 1


def test_unlisted_code_is_not_retried():
    rec = Recorder(lambda r: error(100, message="Invalid parameter"))
    client, _ = client_for(rec)
    with pytest.raises(GraphError, match="code 100"):
        client.get("act_1/insights", account="1")
    assert len(rec.requests) == 1


def test_gives_up_after_max_attempts_without_leaking_the_token():
    rec = Recorder(lambda r: httpx.Response(503, text=f"<html>{TOKEN}</html>"))
    client, _ = client_for(rec, attempts=3)
    with pytest.raises(GraphError) as raised:
        client.get("act_1", account="1")
    assert len(rec.requests) == 3
    assert "3 attempts" in str(raised.value) and TOKEN not in str(raised.value)


def test_token_echoed_in_error_message_is_redacted():
    client, _ = client_for(lambda r: error(190, message=f"Malformed access token {TOKEN}"))
    with pytest.raises(GraphAuthError) as raised:
        client.get("act_1", account="1")
    assert TOKEN not in str(raised.value) and "[redacted]" in str(raised.value)


def test_throttle_waits_for_estimated_time_to_regain_access():
    """The BUC header's minutes become the account's pause before the next call."""
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            buc = {"1": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 2}]}
            response = error(80000, 2446079, message="There have been too many calls")
            response.headers["x-business-use-case-usage"] = json.dumps(buc)
            return response
        return ok({"id": "act_1"})

    client, slept = client_for(handler)
    client.get("act_1", account="1")
    assert max(slept) == pytest.approx(120.0, abs=1.0)


def test_decimal_json_keeps_exact_values_and_ids():
    body = decode_json('{"spend": 0.1, "id": 123456789012345678901, "rate": 79.419238}')
    assert str(body["spend"]) == "0.1" and str(body["rate"]) == "79.419238"
    assert str(body["id"]) == "123456789012345678901"


def test_post_sends_a_json_body_with_structures_and_the_proof():
    rec = Recorder(lambda r: ok({"report_run_id": "9"}))
    client, _ = client_for(rec, app_secret=SECRET)
    client.post("act_1/insights", {"time_range": {"since": "2026-01-01", "until": "2026-01-02"}, "flag": True}, account="1")
    request = rec.requests[0]
    body = json.loads(request.content)
    assert request.headers["content-type"] == "application/json"
    assert body["time_range"] == {"since": "2026-01-01", "until": "2026-01-02"} and body["flag"] is True
    assert body["appsecret_proof"] and TOKEN not in request.content.decode()


def test_throttling_without_an_account_still_waits():
    client, slept = client_for(_flaky(lambda r: error(4, message="Application request limit reached")))
    client.get("me")
    assert client.stats.by_kind == {"throttled": 1} and slept and slept[0] > 0
