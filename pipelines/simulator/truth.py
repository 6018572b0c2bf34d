"""The exact figures mmlens must reproduce from the simulator, from the generator's own knowledge.

Nothing here re-parses an export: every figure comes from the world (`campaign_day`) or from the
fate of each generated send and event. `truth(world, since, until)` describes exactly what
`export(world, home, since, until)` writes, so an end-to-end test can assert equality.

Sections (rows sorted, money as Decimal, dates ISO):
- `campaign_days`: per campaign × account-local day in [since, until], as `/insights` shows it on
  the account's today: spend, insights_delivered, delivered (webhook level), reads, link_clicks.
- `conversions`: per campaign × local day × pixel action type × attribution window.
- `funnel`: per Page × campaign × UTC date of the send attempt (docs/architecture.md): attempted,
  accepted, rejected from the send log; sent = accepted; delivered/read/clicked = sends that reached
  the stage (a later stage implies the earlier ones); failed = sends with a `delivery_failed`
  event and no delivered-or-later event. Only events present in the export count.
- `unattributed_events`: per Page × campaign × UTC event date, distinct `marketing_message_*`
  events whose send is not in the exported send log.
- `webhook_events`: distinct events per webhook field × campaign (null for events that carry no
  campaign: upload status, opt-ins, postbacks, quick-reply messages). Redeliveries are not distinct events.
- `responses`: per Page × campaign × UTC tap date × kind (`postback` / `quick_reply`) × title ×
  payload, distinct taps. A tap counts under the campaign of the message tapped when an exported
  echo or delivery of that message names the tapper's PSID at or before the tap; otherwise (Custom
  Audience subscribers, a user_ref sender, the message's webhooks outside the range) under a null
  campaign. Each send goes to its own PSID, so this is also the message the person last received.
- `errors`: per UTC date × campaign × source: `send_api` by MM code (the subcode when `code` is
  generic) on the attempt date; `delivery_failed_webhook` by the raw `error_message` on the event date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from pipelines.simulator import payloads as p
from pipelines.simulator.export import post_day, streams, utc_date
from pipelines.simulator.world import World

_STAGES = {p.DELIVERY: 1, p.READ: 2, p.CLICK: 3}
_CAMPAIGN_FREE = (p.UPLOAD, p.POSTBACK, p.OPTIN, p.QUICK_REPLY)
_TAP_KIND = {p.POSTBACK: "postback", p.QUICK_REPLY: "quick_reply"}


def truth(world: World, since: date, until: date) -> dict:
    """Ground truth for UTC dates (exports, funnel, errors) and local days (insights) since..until."""
    result = {
        "world": {"seed": world.seed, "today": world.today.isoformat(), "accounts": world.size.accounts,
                  "campaigns_per_account": world.size.campaigns_per_account, "days": world.size.days,
                  "sends_per_campaign_day": world.size.sends_per_campaign_day},
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    result.update(_insights(world, since, until))
    result.update(_streams(world, since, until))
    return result


def _insights(world: World, since: date, until: date) -> dict:
    days, conversions = [], []
    for account in world.accounts:
        for campaign in world.campaigns(account.account_id):
            day = since
            while day <= until:
                numbers = world.campaign_day(campaign.message_campaign_id, day)
                day += timedelta(days=1)
                if numbers is None:
                    continue
                days.append({"ad_account_id": account.account_id, "message_campaign_id": campaign.message_campaign_id,
                             "date": numbers.day.isoformat(), "currency": account.currency, "spend": numbers.spend,
                             "insights_delivered": numbers.insights_delivered, "delivered": numbers.delivered,
                             "reads": numbers.reads, "link_clicks": numbers.link_clicks})
                for action_type, windows in numbers.actions.items():
                    for window, (count, value) in windows.items():
                        conversions.append({"message_campaign_id": campaign.message_campaign_id,
                                            "date": numbers.day.isoformat(), "action_type": action_type,
                                            "attribution_window": window, "conversions": count,
                                            "conversion_value": value})
    return {"campaign_days": _sorted(days), "conversions": _sorted(conversions)}


def _streams(world: World, since: date, until: date) -> dict:
    funnel: dict[tuple, Counter] = defaultdict(Counter)
    unattributed: Counter = Counter()
    kinds: Counter = Counter()
    errors: Counter = Counter()
    responses: Counter = Counter()
    for _day, stream in streams(world, since, until):
        responses.update(_responses(world, stream, since, until))
        in_log: dict[int, tuple] = {}  # accepted attempt index -> funnel key, for attempts in range
        for index, attempt in enumerate(stream.attempts):
            sent_on = utc_date(attempt.ts)
            if not since <= sent_on <= until:
                continue
            key = (stream.page_id, stream.campaign_id, sent_on.isoformat())
            counts = funnel[key]
            counts["attempted"] += 1
            if attempt.tracking_id is not None:
                counts["accepted"] += 1
                in_log[index] = key
            else:
                counts["rejected"] += 1
                errors[(sent_on.isoformat(), stream.campaign_id, "send_api", str(attempt.error_code))] += 1
        stage: dict[int, int] = {}
        failed: set[int] = set()
        for post in stream.posts:
            posted_on = post_day(world, post)
            if post.redelivery or posted_on is None or not since <= posted_on <= until:
                continue
            for event in post.events:
                observed_campaign = None if event.kind in _CAMPAIGN_FREE else event.campaign_id
                kinds[(event.kind, observed_campaign)] += 1
                if event.kind not in p.FUNNEL_KINDS:
                    continue
                event_day = utc_date(event.ts_ms / 1000).isoformat()
                if event.kind == p.FAILED:
                    errors[(event_day, event.campaign_id, "delivery_failed_webhook", event.error_message)] += 1
                if event.send not in in_log:
                    unattributed[(event.page_id, event.campaign_id, event_day)] += 1
                elif event.kind == p.FAILED:
                    failed.add(event.send)
                elif event.kind in _STAGES:
                    stage[event.send] = max(stage.get(event.send, 0), _STAGES[event.kind])
        for index, key in in_log.items():
            reached = stage.get(index, 0)
            counts = funnel[key]
            counts["delivered"] += reached >= 1
            counts["read"] += reached >= 2
            counts["clicked"] += reached >= 3
            counts["failed"] += reached == 0 and index in failed
    columns = ("attempted", "accepted", "rejected", "delivered", "read", "clicked", "failed")
    return {
        "funnel": _sorted([{"page_id": k[0], "message_campaign_id": k[1], "date": k[2], "sent": c["accepted"],
                            **{name: c[name] for name in columns}} for k, c in funnel.items()]),
        "unattributed_events": _sorted([{"page_id": k[0], "message_campaign_id": k[1], "date": k[2], "events": n}
                                        for k, n in unattributed.items()]),
        "webhook_events": _sorted([{"event_type": k[0], "message_campaign_id": k[1], "events": n}
                                   for k, n in kinds.items()]),
        "errors": _sorted([{"date": k[0], "message_campaign_id": k[1], "source": k[2], "error_code": k[3],
                            "occurrences": n} for k, n in errors.items()]),
        "responses": _sorted([{"page_id": k[0], "message_campaign_id": k[1], "date": k[2], "kind": k[3],
                               "title": k[4], "payload": k[5], "responses": n} for k, n in responses.items()]),
    }


def _exported_events(world: World, stream, since: date, until: date):
    """The distinct events of a stream that the export for since..until contains."""
    for post in stream.posts:
        posted_on = post_day(world, post)
        if not post.redelivery and posted_on is not None and since <= posted_on <= until:
            yield from post.events


def _responses(world: World, stream, since: date, until: date) -> Counter:
    """Taps of one stream by (Page, campaign or None, UTC date, kind, title, payload)."""
    received: dict[tuple[int, str], int] = {}  # (send, PSID) -> the first exported echo or delivery naming it
    tapped = []
    for event in _exported_events(world, stream, since, until):
        if event.kind in (p.ECHO, p.DELIVERY) and event.send is not None and event.psid is not None:
            key = (event.send, event.psid)
            received[key] = min(received.get(key, event.ts_ms), event.ts_ms)
        elif event.kind in _TAP_KIND:
            tapped.append(event)
    counts: Counter = Counter()
    for tap in tapped:
        first = received.get((tap.send, tap.psid)) if tap.psid is not None else None
        campaign = tap.campaign_id if first is not None and first <= tap.ts_ms else None
        counts[(tap.page_id, campaign, utc_date(tap.ts_ms / 1000).isoformat(), _TAP_KIND[tap.kind],
                tap.extra["title"], tap.extra["payload"])] += 1
    return counts


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: [("" if v is None else str(v)) for v in row.values()])


def to_json_ready(value: object) -> object:
    """Decimals become strings (exact), the rest passes through; for `json.dumps(sort_keys=True)`."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_ready(v) for v in value]
    return value
