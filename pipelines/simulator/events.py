"""Per-recipient streams behind the world's aggregates: Send API attempts and webhook POSTs.

Grain: one `DayStream` per campaign × account-local day (sends and their webhook events) or per
Page × account-local day (subscriber upload status and opt-ins). Each stream is derived from a
hash of (seed, campaign or Page, day), so any day is generated alone, in O(sends).

Consistency with `World.campaign_day`: exactly `sent` accepted attempts, one delivery webhook
per delivered send, one read per read, one click per link click. Fates nest (clicked ⊂ read ⊂
delivered ⊂ sent). Each accepted send goes to its own subscription token, so the funnel's as-of
join by (campaign, token) finds exactly the send that caused an event; events without a logged
send (`send is None`) are the stream's unattributed events. Every event follows its send by at
least two seconds, because the send log keeps whole seconds. Read messages may be tapped
(`pipelines/simulator/taps.py`): postbacks and quick replies travel in the same POSTs.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from pipelines.simulator import payloads as p
from pipelines.simulator.send_errors import WARM_UP, error_body, pick_error, pick_failure_message
from pipelines.simulator.taps import taps
from pipelines.simulator.world import Account, Campaign, World, binomial

REJECTION_RATE = 0.07
CUSTOM_AUDIENCE_SHARE = 0.15  # subscribers uploaded via the Custom Audience API: no PSID, no mid
UNATTRIBUTED_RATE = 0.005
REDELIVERY_RATE = 0.02
# Rejections a sender retries later with the same token: warm-up and pacing (reference §5.6).
RETRIED_CODES = frozenset({2300003, 2300028, 2300068, 2300070, 2300071, 2300073, 2300076, 2300079})


@dataclass(slots=True)
class Attempt:
    """One Send API call as the sender logged it."""

    ts: int  # unix seconds, UTC
    token: str
    tracking_id: str | None  # set when accepted
    error_code: int | None  # the MM code of a rejection, wherever the envelope puts it
    http_status: int
    response: dict
    iso: bool  # the log line writes `ts` as ISO-8601 instead of unix seconds


@dataclass(slots=True)
class Post:
    ts_ms: int  # when Meta POSTs it; decides the export file's UTC date
    events: list[p.Event]
    body: dict
    redelivery: bool  # an exact duplicate of an earlier POST


@dataclass
class DayStream:
    account_id: str
    page_id: str
    campaign_id: str | None
    day: date
    attempts: list[Attempt]
    posts: list[Post]


def app_id(world: World) -> str:
    return str(random.Random(f"{world.seed}:app").randrange(10**14, 10**15))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _window(world: World, campaign: Campaign, day: date) -> tuple[int, int]:
    """Unix seconds in which the day's sends happen: 08:00-22:00 local, after warm-up, before end."""
    tz = world.tz(campaign.account_id)
    lo = datetime.combine(day, time(8), tz)
    hi = datetime.combine(day, time(22), tz)
    if campaign.start_time.astimezone(tz).date() == day:
        lo = max(lo, campaign.start_time + timedelta(hours=1))
    if campaign.end_time is not None and campaign.end_time.astimezone(tz).date() == day:
        hi = min(hi, campaign.end_time)
    start, stop = int(lo.timestamp()), int(hi.timestamp())
    return start, max(stop, start + 600)


def campaign_stream(world: World, campaign: Campaign, day: date) -> DayStream | None:
    """Attempts and webhook POSTs of one campaign-day; None outside the campaign's life."""
    numbers = world.campaign_day(campaign.message_campaign_id, day)
    if numbers is None:
        return None
    cid, page = campaign.message_campaign_id, campaign.page_id
    rng = random.Random(f"{world.seed}:events:{cid}:{day.isoformat()}")
    lo, hi = _window(world, campaign, day)

    raw: list[tuple[int, int, object]] = []  # (ts, order, error or None) before sorting
    for n in range(numbers.sent):
        raw.append((rng.randrange(lo, hi), n, None))
    for n in range(binomial(rng, numbers.sent, REJECTION_RATE)):
        raw.append((rng.randrange(lo, hi), numbers.sent + n, pick_error(rng)))
    if campaign.start_time.astimezone(world.tz(campaign.account_id)).date() == day:
        start = int(campaign.start_time.timestamp())
        for n in range(rng.randint(2, 6)):  # sends tried during the one-hour warm-up
            raw.append((start + rng.randrange(0, 3600), 2 * numbers.sent + n, WARM_UP))
    raw.sort(key=lambda r: (r[0], r[1]))

    attempts: list[Attempt] = []
    accepted: list[int] = []
    for ts, _order, error in raw:
        token = str(rng.randrange(10**16, 10**17))
        iso = rng.random() < 0.15
        if error is None:
            tracking = _uuid(rng)
            attempts.append(Attempt(ts, token, tracking, None, 200,
                                    {"success": True, "marketing_message_tracking_id": tracking}, iso))
            accepted.append(len(attempts) - 1)
        else:
            attempts.append(Attempt(ts, token, None, error.code, 400, error_body(rng, error), iso))

    _retried_later(random.Random(f"{world.seed}:retries:{cid}:{day.isoformat()}"), attempts)

    # Nested fates over a shuffled order: the first `link_clicks` also read, delivered.
    order = list(range(len(accepted)))
    rng.shuffle(order)
    fate = [0] * len(accepted)  # 0 undelivered, 1 delivered, 2 read, 3 clicked
    for rank, index in enumerate(order):
        fate[index] = 3 if rank < numbers.link_clicks else 2 if rank < numbers.reads else \
            1 if rank < numbers.delivered else 0

    events: list[p.Event] = []
    reads: list[tuple] = []  # (send, token, PSID, read time) of every read message, for the taps
    for index, attempt_index in enumerate(accepted):
        attempt = attempts[attempt_index]
        custom_audience = rng.random() < CUSTOM_AUDIENCE_SHARE
        psid = None if custom_audience else str(rng.randrange(10**15, 10**16))
        mid = None if custom_audience else f"mid.$c{rng.randrange(10**13, 10**14)}"
        base = attempt.ts * 1000

        # Called only within this iteration, so the loop variables it reads are the current ones.
        def event(kind: str, ts_ms: int, **extra) -> None:
            events.append(p.Event(kind, ts_ms, page, cid, attempt_index, attempt.token, attempt.tracking_id,  # noqa: B023
                                  psid, mid, **extra))  # noqa: B023

        event(p.ECHO, base + rng.randint(2000, 5000))
        if fate[index] >= 1:
            delivered_at = base + rng.randint(3000, 120_000)
            if rng.random() < 0.005:  # a failure report for a send that a retry delivered after all
                event(p.FAILED, base + 2000 + rng.randint(0, 900), error_message=pick_failure_message(rng))
            event(p.DELIVERY, delivered_at)
            if fate[index] >= 2:
                read_at = delivered_at + rng.randint(60_000, 10 * 3_600_000)
                event(p.READ, read_at)
                if fate[index] == 3:
                    event(p.CLICK, read_at + rng.randint(5_000, 2 * 3_600_000))
                reads.append((attempt_index, attempt.token, psid, read_at))
        elif rng.random() < 0.75:
            event(p.FAILED, base + rng.randint(5000, 600_000), error_message=pick_failure_message(rng))

    for _ in range(binomial(rng, numbers.sent, UNATTRIBUTED_RATE)):
        # Events for sends this log never saw (another sender, a lost log line).
        kind = rng.choice((p.ECHO, p.DELIVERY, p.READ, p.CLICK))
        mid = f"mid.$c{rng.randrange(10**13, 10**14)}"
        events.append(p.Event(kind, rng.randrange(lo, hi) * 1000 + 2000, page, cid, None,
                              str(rng.randrange(10**16, 10**17)), _uuid(rng),
                              str(rng.randrange(10**15, 10**16)), mid))

    events.extend(taps(world.seed, page, cid, day.isoformat(), reads))
    account = world.account(campaign.account_id)
    posts = _batch(rng, events, app_id(world), account.business_id)
    return DayStream(campaign.account_id, page, cid, day, attempts, posts)


def _retried_later(rng: random.Random, attempts: list[Attempt]) -> None:
    """Senders retry after a wait (warm-up, pacing): give some rejected attempts the token of a
    later accepted send, so a token can be attempted twice and accepted once. A separate random
    stream keeps every other number of the day unchanged."""
    taken: set[str] = set()
    for index, attempt in enumerate(attempts):
        if attempt.tracking_id is not None or attempt.error_code not in RETRIED_CODES or rng.random() < 0.4:
            continue
        later = [a for a in attempts[index + 1:index + 400]
                 if a.tracking_id is not None and a.ts >= attempt.ts + 60 and a.token not in taken]
        if later:
            retry = later[rng.randrange(min(len(later), 20))]
            taken.add(retry.token)
            attempt.token = retry.token


def page_stream(world: World, account: Account, page_id: str, day: date) -> DayStream:
    """Page-level events of one account-local day: Custom Audience upload status and opt-ins."""
    rng = random.Random(f"{world.seed}:page-events:{page_id}:{day.isoformat()}")
    tz = world.tz(account.account_id)
    lo = int(datetime.combine(day, time(0), tz).timestamp())
    hi = int(datetime.combine(day + timedelta(days=1), time(0), tz).timestamp())
    events: list[p.Event] = []
    if rng.random() < 0.3:
        rows = rng.randint(200, 5000)
        matched = rows * rng.randint(40, 90) // 100
        events.append(p.Event(p.UPLOAD, rng.randrange(lo, hi) * 1000, page_id, extra={
            "custom_audience_id": str(rng.randrange(10**16, 10**17)), "ad_account_id": account.account_id,
            "num_rows": rows, "lower": matched * 9 // 10, "upper": matched * 11 // 10}))
    for _ in range(binomial(rng, 8, 0.5)):
        events.append(p.Event(p.OPTIN, rng.randrange(lo, hi) * 1000 + rng.randint(0, 999), page_id,
                              token=str(rng.randrange(10**16, 10**17)), psid=str(rng.randrange(10**15, 10**16)),
                              extra={"payload": "footer-optin", "timezone": account.timezone_name,
                                     "status": rng.choice(("REFRESHED", "NOT_REFRESHED")),
                                     "title": "Deals & news 🛍️"}))
    posts = _batch(rng, sorted(events, key=lambda e: e.ts_ms), app_id(world), account.business_id)
    return DayStream(account.account_id, page_id, None, day, [], posts)


def _batch(rng: random.Random, events: list[p.Event], app: str, business_id: str) -> list[Post]:
    """Meta batches several events per POST; some POSTs swap places, ~2% are redelivered."""
    events.sort(key=lambda e: e.ts_ms)
    posts: list[Post] = []
    i = 0
    while i < len(events):
        size = rng.choices((1, rng.randint(2, 5), rng.randint(6, 20)), weights=(3, 5, 2))[0]
        chunk = events[i:i + size]
        i += size
        body = p.post_body(rng, chunk, app, business_id)
        posts.append(Post(chunk[-1].ts_ms + rng.randint(200, 60_000), chunk, body, False))
        if rng.random() < REDELIVERY_RATE:
            posts.append(Post(posts[-1].ts_ms, chunk, body, True))
    for j in range(len(posts) - 1):  # out-of-order delivery
        if rng.random() < 0.1 and not posts[j + 1].redelivery:
            posts[j], posts[j + 1] = posts[j + 1], posts[j]
    return posts


def send_log_line(stream: DayStream, attempt: Attempt) -> dict:
    """A send-log record in the design's format."""
    if attempt.iso:
        ts: int | str = datetime.fromtimestamp(attempt.ts, timezone.utc).isoformat().replace("+00:00", "Z")
    else:
        ts = attempt.ts
    return {"ts": ts, "ad_account_id": stream.account_id, "message_id": stream.campaign_id,
            "subscription_token": attempt.token, "http_status": attempt.http_status, "response": attempt.response}
