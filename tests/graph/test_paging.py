"""Paging follows `next` until absent; cursors and tokens never leave the request."""

import httpx
import pytest

from pipelines.graph.errors import GraphError
from pipelines.graph.paging import iter_rows
from tests.graph.helpers import BASE, TOKEN, Recorder, client_for, error, ok


def _pages(request: httpx.Request) -> httpx.Response:
    after = request.url.params.get("after")
    nxt = f"{BASE}/v25.0/act_1/ads?limit=2&access_token={TOKEN}&after="
    if after is None:
        return ok({"data": [{"id": "1"}, {"id": "2"}], "paging": {"cursors": {"after": "A"}, "next": nxt + "A"}})
    if after == "A":  # an empty page that still has `next` is not the end
        return ok({"data": [], "paging": {"next": nxt + "B"}})
    return ok({"data": [{"id": "3"}], "paging": {"cursors": {"before": "B"}}})


def test_follows_next_through_an_empty_page_until_absent():
    rec = Recorder(_pages)
    client, _ = client_for(rec)
    rows = list(iter_rows(client, "act_1/ads", {"limit": 2}, account="1"))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert len(rec.requests) == 3


def test_next_url_token_is_dropped_and_header_used():
    rec = Recorder(_pages)
    client, _ = client_for(rec)
    list(iter_rows(client, "act_1/ads", account="1"))
    for request in rec.requests:
        assert "access_token" not in request.url.params
        assert TOKEN not in str(request.url)
        assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_next_to_another_host_is_refused():
    def handler(request):
        return ok({"data": [], "paging": {"next": "https://evil.test/v25.0/act_1/ads?after=x"}})

    client, _ = client_for(handler)
    with pytest.raises(GraphError, match="another host"):
        list(iter_rows(client, "act_1/ads", account="1"))


@pytest.mark.parametrize("body", [{"paging": {}}, {"data": "x"}, {"data": [1]}])
def test_malformed_pages_raise(body):
    client, _ = client_for(lambda r: ok(body))
    with pytest.raises(GraphError):
        list(iter_rows(client, "act_1/ads", account="1"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"paging": {}}, "act_1: act_1/ads returned no `data` list"),
        ([{"id": "1"}], "act_1: act_1/ads returned no `data` list"),
        ({"data": [{"id": "1"}, 2]}, "act_1: act_1/ads returned a row that is not an object"),
    ],
)
def test_malformed_pages_name_the_account_and_the_path_without_its_query(body, message):
    client, _ = client_for(lambda r: ok(body))
    with pytest.raises(GraphError) as raised:
        list(iter_rows(client, "act_1/ads?fields=id", account="1"))
    assert str(raised.value) == message


def test_the_refused_host_is_reported_for_the_account():
    def handler(request):
        return ok({"data": [], "paging": {"next": "https://evil.test/v25.0/act_1/ads?after=x"}})

    client, _ = client_for(handler)
    with pytest.raises(GraphError) as raised:
        list(iter_rows(client, "act_1/ads", account="7"))
    assert str(raised.value) == "act_7: paging.next points to another host; refusing to send the token there"


@pytest.mark.parametrize("paging", [{"next": ""}, {"next": 5}, {"next": None}, "next", {"cursors": {"after": "A"}}])
def test_a_page_without_a_usable_next_is_the_last(paging):
    rec = Recorder(lambda r: ok({"data": [{"id": "1"}], "paging": paging}))
    client, _ = client_for(rec)
    assert list(iter_rows(client, "act_1/ads", account="1")) == [{"id": "1"}]
    assert len(rec.requests) == 1


def test_a_server_that_pages_forever_is_stopped_after_max_pages(monkeypatch):
    monkeypatch.setattr("pipelines.graph.paging.MAX_PAGES", 3)
    rec = Recorder(lambda r: ok({"data": [{"id": "1"}], "paging": {"next": f"{BASE}/v25.0/act_1/ads?after=x"}}))
    client, _ = client_for(rec)
    rows = []
    with pytest.raises(GraphError) as raised:
        rows.extend(iter_rows(client, "act_1/ads", account="1"))
    assert str(raised.value) == "act_1: more than 3 pages from act_1/ads; stopping"
    assert len(rows) == 3 and len(rec.requests) == 4


def test_an_error_on_the_first_page_names_the_account():
    client, _ = client_for(lambda r: error(368, message="blocked"))
    with pytest.raises(GraphError) as raised:
        list(iter_rows(client, "act_1/ads", account="1"))
    assert str(raised.value) == "act_1: Graph API error (code 368): blocked"
