"""POST the world's webhook bodies to a receiver, signed as Meta signs them.

The bodies are exactly the lines `export` writes for the same range (same order within a day,
redeliveries included), serialized ASCII-escaped (`ensure_ascii=True`, as Meta escapes
non-ASCII), and signed with `X-Hub-Signature-256: sha256=<HMAC-SHA256 hex of those bytes>`
keyed by the app secret (reference §4.4). Like Meta, a failed POST is retried a few times at
once (5xx, 429, connection errors); a POST that still fails is counted, never silently dropped,
and a run of refusals stops the delivery with the receiver's status. The secret never appears in
errors or output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import httpx

from pipelines.simulator.errors import SimulatorError
from pipelines.simulator.export import dumps, post_day, streams
from pipelines.simulator.signing import sign
from pipelines.simulator.world import World

RETRIES = 3
GIVE_UP_AFTER = 20  # consecutive refused POSTs: the receiver is misconfigured, stop


@dataclass
class DeliverStats:
    posts: int = 0
    events: int = 0
    failed: int = 0
    retried: int = 0
    seconds: float = 0.0


def deliver(world: World, url: str, since: date, until: date, app_secret: str,
            client: httpx.Client | None = None, timeout: float = 10.0) -> DeliverStats:
    """POST every webhook body of UTC dates since..until to `url`; returns what happened."""
    started = time.perf_counter()
    stats = DeliverStats()
    refused_in_a_row = 0
    own = client is None
    client = client or httpx.Client(timeout=timeout)
    try:
        for _day, stream in streams(world, since, until):
            for post in stream.posts:
                posted_on = post_day(world, post)
                if posted_on is None or not since <= posted_on <= until:
                    continue
                body = dumps(post.body)
                headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}
                stats.posts += 1
                stats.events += len(post.events)
                status = _post(client, url, body, headers, stats)
                if 200 <= status < 300:
                    refused_in_a_row = 0
                    continue
                stats.failed += 1
                refused_in_a_row += 1
                if refused_in_a_row >= GIVE_UP_AFTER:
                    raise SimulatorError(f"deliver: the receiver refused {refused_in_a_row} POSTs in a row "
                                      f"(last HTTP status {status}); is the app secret right?")
    finally:
        if own:
            client.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], stats: DeliverStats) -> int:
    """POST once, retrying at once on 5xx, 429 and connection errors; returns the last status."""
    status = 0
    for attempt in range(RETRIES + 1):
        if attempt:
            stats.retried += 1
            time.sleep(0.05 * attempt)
        try:
            status = client.post(url, content=body, headers=headers).status_code
        except httpx.TransportError as error:
            if attempt == RETRIES:
                raise SimulatorError(f"deliver: cannot reach {url}: {type(error).__name__}") from None
            continue
        if status < 500 and status != 429:
            return status  # success, or a refusal that retrying cannot change (e.g. a bad signature)
    return status
