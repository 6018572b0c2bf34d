"""Cursor paging (meta-api.md §1.6): follow `paging.next` until it is absent.

A page with fewer rows than `limit`, or with no rows at all, is not the end while it still has a
`next`. Cursors and `next` URLs are used once and dropped: they are never stored, logged or put in
an exception (a `next` URL carries the access token).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pipelines.graph.client import GraphClient
from pipelines.graph.errors import GraphError

# A guard against a server that hands out `next` forever; far above any real listing.
MAX_PAGES = 100_000


def iter_rows(
    client: GraphClient, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every row of `data` across all pages of `GET path`."""
    body = client.get(path, params, account=account)
    for _ in range(MAX_PAGES):
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise GraphError(f"act_{account}: {path.split('?')[0]} returned no `data` list")
        for row in data:
            if not isinstance(row, dict):
                raise GraphError(f"act_{account}: {path.split('?')[0]} returned a row that is not an object")
            yield row
        paging = body.get("paging")
        next_url = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(next_url, str) or not next_url:
            return
        body = client.get_next(next_url, account=account)
    raise GraphError(f"act_{account}: more than {MAX_PAGES} pages from {path}; stopping")
