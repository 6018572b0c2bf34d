"""Write the world's webhook POST bodies and send logs into `MMLENS_HOME/exports`, streaming.

Files: `exports/webhooks/sim-<UTC date>.ndjson.gz` (one POST body per line) and
`exports/sends/sim-<UTC date>.ndjson.gz` (one Send API attempt per line, the design's format),
one pair per UTC date in [since, until], written to `<name>.tmp` and renamed when complete, so a
reader never sees half a file. A line's date is its POST time (webhooks) or attempt time (sends);
POSTs after the world's "now" (noon UTC of `today`) have not happened and are not written.

Memory stays bounded: account-local days are generated in order and a UTC date's files are
closed as soon as no later local day can add to them, so only one or two days of streams are
alive at a time. Output is byte-identical for the same world and range (gzip mtime 0, JSON in
a fixed key order, ASCII-escaped as Meta escapes non-ASCII).
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import orjson

from pipelines.simulator.events import DayStream, Post, campaign_stream, page_stream, send_log_line
from pipelines.simulator.world import World

# Local days that can put lines on a UTC date D: time zones span UTC-12..+14 and events trail
# their send by less than 13 hours, so days D-2..D+2 cover it with room to spare.
_DAYS_BEFORE, _DAYS_AFTER = 2, 2


def utc_date(ts_seconds: float) -> date:
    return datetime.fromtimestamp(ts_seconds, timezone.utc).date()


def dumps(document: object) -> bytes:
    """The exact bytes of a line or POST body: compact, ASCII-escaped (Meta's escaping).

    orjson is several times faster and writes the same bytes for ASCII-only content; anything
    with non-ASCII text goes through the standard library, which escapes it as `\\uXXXX`.
    """
    fast = orjson.dumps(document)
    if fast.isascii():
        return fast
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def post_day(world: World, post: Post) -> date | None:
    """The UTC date of a POST, or None while it lies after the world's "now" (not sent yet)."""
    if post.ts_ms > world.now.timestamp() * 1000:
        return None
    return utc_date(post.ts_ms / 1000)


def local_days(since: date, until: date) -> Iterator[date]:
    day = since - timedelta(days=_DAYS_BEFORE)
    while day <= until + timedelta(days=_DAYS_AFTER):
        yield day
        day += timedelta(days=1)


def day_streams(world: World, day: date) -> Iterator[DayStream]:
    """Every stream of one account-local day, in a fixed order."""
    for account in world.accounts:
        first, last = world.history(account.account_id)
        if first <= day <= last:
            for page_id in account.pages:
                yield page_stream(world, account, page_id, day)
        for campaign in world.campaigns(account.account_id):
            stream = campaign_stream(world, campaign, day)
            if stream is not None:
                yield stream


def streams(world: World, since: date, until: date) -> Iterator[tuple[date, DayStream]]:
    """(local day, stream) for every stream that can put a line on a UTC date in [since, until]."""
    for day in local_days(since, until):
        for stream in day_streams(world, day):
            yield day, stream


@dataclass
class ExportStats:
    files: int = 0
    posts: int = 0
    events: int = 0
    sends: int = 0
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return (self.events + self.sends) / self.seconds if self.seconds else 0.0


class _DatedFiles:
    """One gzip file per UTC date under `folder`, opened lazily, renamed from `.tmp` on close."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.open: dict[date, tuple[Path, gzip.GzipFile, object]] = {}
        self.touched: set[date] = set()
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, day: date, line: bytes) -> None:
        self.touch(day)
        self.open[day][1].write(line + b"\n")

    def touch(self, day: date) -> None:
        """Open the date's file if this run has not yet: every date in range gets a file."""
        if day not in self.touched:
            self.touched.add(day)
            final = self.folder / f"sim-{day.isoformat()}.ndjson.gz"
            tmp = final.with_name(final.name + ".tmp")
            raw = tmp.open("wb")
            self.open[day] = (tmp, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=3), raw)

    def close_before(self, day: date) -> int:
        done = [d for d in self.open if d < day]
        for d in sorted(done):
            tmp, zipped, raw = self.open.pop(d)
            zipped.close()
            raw.close()
            tmp.replace(tmp.with_name(tmp.name.removesuffix(".tmp")))
        return len(done)


def export(world: World, home: Path, since: date, until: date) -> ExportStats:
    """Write the exports for UTC dates since..until (inclusive) under `home/exports`."""
    started = time.perf_counter()
    stats = ExportStats()
    webhooks = _DatedFiles(home / "exports" / "webhooks")
    sends = _DatedFiles(home / "exports" / "sends")
    current = None
    for day, stream in streams(world, since, until):
        if day != current:
            current = day
            stats.files += webhooks.close_before(day - timedelta(days=1)) + sends.close_before(day - timedelta(days=1))
        for attempt in stream.attempts:
            sent_on = utc_date(attempt.ts)
            if since <= sent_on <= until:
                sends.write(sent_on, dumps(send_log_line(stream, attempt)))
                stats.sends += 1
        for post in stream.posts:
            posted_on = post_day(world, post)
            if posted_on is not None and since <= posted_on <= until:
                webhooks.write(posted_on, dumps(post.body))
                stats.posts += 1
                stats.events += len(post.events)
    for files in (webhooks, sends):
        for n in range((until - since).days + 1):
            files.touch(since + timedelta(days=n))  # a date without lines still gets its (empty) file
        stats.files += files.close_before(date.max)
    stats.seconds = time.perf_counter() - started
    return stats
