"""Paging follows `next` until absent; cursors and tokens never leave the request."""

import httpx
import pytest

from pipelines.graph.errors import GraphError
from pipelines.graph.paging import iter_rows
from tests.graph.helpers import BASE, TOKEN, Recorder, client_for, ok


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
