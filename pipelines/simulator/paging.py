"""Cursor paging as the Graph API does it (reference §1.6), deterministic for a seed.

Cursors are opaque base64 strings encoding an offset. `paging.next` is an absolute URL that
repeats the request's parameters, including `access_token` (as Meta's do — which is why clients
must keep these URLs out of logs). Now and then a page comes back empty *with* a `next` link, as
Meta documents ("fewer than `limit` rows ≠ end; stop only when `next` is absent"); the follow-up
cursor carries a marker so that the same page is then served with its rows.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from pipelines.simulator.digits import digits_int
from pipelines.simulator.faults import unit_hash

DEFAULT_LIMIT = 25


class CursorError(ValueError):
    """An `after`/`before` value this server never issued (Graph error 2642)."""


def encode_cursor(offset: int, served_empty: bool = False) -> str:
    raw = f"{offset}:{'e' if served_empty else 'r'}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, bool]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset, marker = text.split(":")
        if marker not in ("e", "r") or int(offset) < 0:
            raise ValueError(marker)
        return int(offset), marker == "e"
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise CursorError("(#2642) Invalid cursors values") from error


def page(
    items: Sequence,
    params: Mapping[str, str],
    url: str,
    *,
    seed: int,
    query_key: str,
    empty_page_rate: float,
    access_token: str | None,
) -> dict:
    """`{"data": [...], "paging": {...}}` for the slice of `items` the request's cursors select.

    Raises CursorError for a malformed cursor and ValueError for a bad `limit`.
    """
    limit_text = params.get("limit") or str(DEFAULT_LIMIT)
    limit = digits_int(limit_text, max_digits=9)
    if limit is None or limit < 1:
        raise ValueError(f"(#100) limit must be a positive integer; got {limit_text!r}")
    served_empty = False
    if params.get("after"):
        offset, served_empty = decode_cursor(params["after"])
    elif params.get("before"):
        offset = max(0, decode_cursor(params["before"])[0] - limit)
    else:
        offset = 0
    offset = min(offset, len(items))
    more = offset + limit < len(items)
    if (
        0 < offset < len(items)
        and not served_empty
        and unit_hash(seed, "empty-page", query_key, offset) < empty_page_rate
    ):
        cursor = encode_cursor(offset, served_empty=True)
        return {
            "data": [],
            "paging": {"cursors": {"before": cursor, "after": cursor}, "next": _link(url, params, access_token, after=cursor)},
        }
    data = list(items[offset : offset + limit])
    before, after = encode_cursor(offset), encode_cursor(offset + len(data))
    paging: dict = {"cursors": {"before": before, "after": after}}
    if offset > 0:
        paging["previous"] = _link(url, params, access_token, before=before)
    if more:
        paging["next"] = _link(url, params, access_token, after=after)
    return {"data": data, "paging": paging}


def _link(url: str, params: Mapping[str, str], access_token: str | None, **cursor: str) -> str:
    kept = {k: v for k, v in params.items() if k not in ("after", "before")}
    if access_token is not None:
        kept["access_token"] = access_token
    kept.update(cursor)
    return f"{url}?{urlencode(kept)}"
