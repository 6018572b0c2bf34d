"""Per-recipient streams: consistent with the world's aggregates, ordered in time, and carrying
every documented quirk (missing ids, null/0 recipients, flat items, number ids, both time units)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from pipelines.simulator import payloads as p
from pipelines.simulator.events import campaign_stream, page_stream, send_log_line
from pipelines.simulator.send_errors import SEND_ERRORS, WARM_UP
from pipelines.simulator.world import World, WorldSize

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=5, size=WorldSize(days=12), today=TODAY)


@pytest.fixture(scope="module")
def all_streams(world: World) -> list:
    found = []
    for campaign in world.all_campaigns():
        first, last = world.history(campaign.account_id)
        day = first
        while day <= last:
            stream = campaign_stream(world, campaign, day)
            if stream is not None:
                found.append((campaign, day, stream))
            day += timedelta(days=1)
    return found


def items(body: dict):
    """(field, inner object) of every event in a POST body, whatever its shape."""
    for entry in body["entry"]:
        for change in entry.get("changes", []):
            if "value" in change:
                yield change["field"], change["value"]
            elif "field" in change:
                yield change["field"], change
            else:
                assert "error_message" in change  # only delivery_failed travels flat without field
                yield p.FAILED, change
        for item in entry.get("messaging", []):
            yield (p.OPTIN if "optin" in item else p.QUICK_REPLY if "message" in item else p.POSTBACK), item


def test_streams_match_the_aggregates(world: World, all_streams: list) -> None:
    assert all_streams
    for campaign, day, stream in all_streams:
        numbers = world.campaign_day(campaign.message_campaign_id, day)
        accepted = [a for a in stream.attempts if a.tracking_id is not None]
        assert len(accepted) == numbers.sent
        events = [e for post in stream.posts if not post.redelivery for e in post.events if e.send is not None]
        kinds = Counter(e.kind for e in events)
        assert kinds[p.DELIVERY] == numbers.delivered
        assert kinds[p.READ] == numbers.reads
        assert kinds[p.CLICK] == numbers.link_clicks
        assert kinds[p.ECHO] == numbers.sent


def test_fates_nest_and_events_follow_their_send(all_streams: list) -> None:
    for _campaign, _day, stream in all_streams:
        reached: dict[int, set[str]] = {}
        for post in stream.posts:
            assert post.ts_ms >= max(e.ts_ms for e in post.events)
            for event in post.events:
                if event.send is None:
                    continue
                attempt = stream.attempts[event.send]
                assert attempt.tracking_id is not None and event.token == attempt.token
                assert event.ts_ms >= attempt.ts * 1000 + 2000
                reached.setdefault(event.send, set()).add(event.kind)
        for kinds in reached.values():
            if p.CLICK in kinds:
                assert p.READ in kinds
            if p.READ in kinds:
                assert p.DELIVERY in kinds


def test_sends_happen_inside_the_account_local_day(world: World, all_streams: list) -> None:
    for campaign, day, stream in all_streams:
        tz = world.tz(campaign.account_id)
        for attempt in stream.attempts:
            assert datetime.fromtimestamp(attempt.ts, tz).date() == day
        assert [a.ts for a in stream.attempts] == sorted(a.ts for a in stream.attempts)


def test_tokens_are_unique_per_campaign(all_streams: list) -> None:
    tokens: Counter = Counter()
    for campaign, _day, stream in all_streams:
        tokens.update((campaign.message_campaign_id, a.token) for a in stream.attempts if a.tracking_id)
    assert max(tokens.values()) == 1


def test_every_error_code_and_envelope_variant_occurs() -> None:
    world = World(seed=2, size=WorldSize(accounts=1, campaigns_per_account=3, days=20, sends_per_campaign_day=150),
                  today=TODAY)
    codes, subcode_style, named_caps, data_kinds = Counter(), 0, Counter(), set()
    for campaign in world.all_campaigns():
        first, last = world.history(campaign.account_id)
        for n in range((last - first).days + 1):
            stream = campaign_stream(world, campaign, first + timedelta(days=n))
            for attempt in stream.attempts if stream else []:
                if attempt.tracking_id is not None:
                    assert attempt.response == {"success": True, "marketing_message_tracking_id": attempt.tracking_id}
                    continue
                error = attempt.response["error"]
                assert attempt.http_status == 400 and error["type"] == "OAuthException"
                if isinstance(error["code"], str):
                    # Changelog Apr 10, 2026: a frequency cap "returns" its name as the code.
                    named_caps[error["code"]] += 1
                    assert (attempt.error_code, error["code"]) in {
                        (2300042, "WEEKLY_MM_LOAD_CAP_REACHED"), (2300043, "DAILY_MM_LOAD_CAP_REACHED"),
                        (2300044, "MIN_ORGANIC_THREAD_NOT_REACHED")}
                else:
                    assert attempt.error_code in (error["code"], error.get("error_subcode"))
                subcode_style += "error_subcode" in error
                codes[attempt.error_code] += 1
                if "error_data" in error:
                    data = error["error_data"]
                    data_kinds.add(type(data))
                    assert (json.loads(data) if isinstance(data, str) else data)["remaining_seconds"] > 0
    assert set(codes) == {e.code for e in SEND_ERRORS} | {WARM_UP.code}
    assert subcode_style > 0 and data_kinds == {str, dict}
    assert set(named_caps) == {"WEEKLY_MM_LOAD_CAP_REACHED", "DAILY_MM_LOAD_CAP_REACHED", "MIN_ORGANIC_THREAD_NOT_REACHED"}


def test_payload_quirks_all_occur(all_streams: list) -> None:
    seen = Counter()
    for _campaign, _day, stream in all_streams:
        for post in stream.posts:
            seen["redelivery"] += post.redelivery
            for field, value in items(post.body):
                if field in (p.ECHO, p.DELIVERY) and "recipient_id" not in value:
                    seen["custom audience"] += 1
                    assert "mid" not in value
                if field in (p.READ, p.CLICK) and "recipient_id" in value and value["recipient_id"] is None:
                    seen["null recipient"] += 1
                if field == p.CLICK:
                    assert "marketing_message_tracking_id" not in value and "app_id" not in value
                if field == p.FAILED:
                    assert set(value) - {"field"} == {"app_id", "business_id", "page_id", "timestamp", "message_id",
                                                      "messenger_subscription_token", "error_message"}
                    seen["flat failed"] += "field" not in value
                if isinstance(value.get("page_id"), int):
                    seen["number ids"] += 1
                if isinstance(value.get("message_id"), int):
                    seen["number message_id"] += 1
                if isinstance(value.get("timestamp"), int) and value["timestamp"] < 10**11:
                    seen["seconds"] += 1
                if field == p.READ:
                    seen["read without app_id"] += "app_id" not in value
                if field == p.POSTBACK:
                    seen["postback"] += 1
                    seen["user_ref postback"] += "user_ref" in value["sender"]
                if field == p.QUICK_REPLY:
                    seen["quick reply"] += 1
            seen["unattributed"] += sum(e.send is None for e in post.events)
    for quirk in ("redelivery", "custom audience", "null recipient", "flat failed", "number ids",
                  "number message_id", "seconds", "postback", "user_ref postback", "quick reply", "unattributed",
                  "read without app_id"):
        assert seen[quirk] > 0, quirk


def test_recipient_id_was_zero_before_the_january_fix() -> None:
    world = World(seed=5, size=WorldSize(days=20), today=date(2026, 1, 20))
    zeros = 0
    for campaign in world.all_campaigns():
        for n in range(1, 19):
            stream = campaign_stream(world, campaign, date(2026, 1, 20) - timedelta(days=n))
            for post in stream.posts if stream else []:
                zeros += sum(1 for f, v in items(post.body) if f in (p.READ, p.CLICK) and v.get("recipient_id") == 0)
    assert zeros > 0


def test_page_streams_carry_optins_and_upload_status(world: World) -> None:
    kinds = Counter()
    for account in world.accounts:
        for page_id in account.pages:
            for n in range(1, 13):
                stream = page_stream(world, account, page_id, TODAY - timedelta(days=n))
                assert stream.attempts == [] and stream.campaign_id is None
                kinds.update(field for post in stream.posts for field, _v in items(post.body))
    assert kinds[p.OPTIN] > 0 and kinds[p.UPLOAD] > 0


def test_streams_are_deterministic(world: World) -> None:
    campaign = world.all_campaigns()[0]
    day = world.history(campaign.account_id)[1]
    again = World(seed=5, size=WorldSize(days=12), today=TODAY)
    same = again.campaign(campaign.message_campaign_id)
    assert campaign_stream(world, campaign, day) == campaign_stream(again, same, day)


def test_send_log_line_has_the_design_format(all_streams: list) -> None:
    formats = set()
    for _campaign, _day, stream in all_streams[:20]:
        for attempt in stream.attempts:
            line = send_log_line(stream, attempt)
            assert set(line) == {"ts", "ad_account_id", "message_id", "subscription_token", "http_status", "response"}
            assert isinstance(line["message_id"], str) and isinstance(line["subscription_token"], str)
            formats.add(type(line["ts"]))
            if isinstance(line["ts"], str):
                assert datetime.fromisoformat(line["ts"]).timestamp() == attempt.ts
    assert formats == {int, str}


def test_some_rejected_tokens_are_retried_and_accepted_later(all_streams: list) -> None:
    retried = 0
    for _campaign, _day, stream in all_streams:
        accepted_at = {a.token: a.ts for a in stream.attempts if a.tracking_id is not None}
        for attempt in stream.attempts:
            if attempt.tracking_id is None and attempt.token in accepted_at:
                assert accepted_at[attempt.token] >= attempt.ts + 60
                retried += 1
    assert retried > 0


def test_taps_arrive_as_meta_sends_them_beside_the_marketing_events(all_streams: list) -> None:
    """Quick replies are standard `messages` events (the tapped title as text, its payload in quick_reply)
    and button taps are postbacks, as `entry[].messaging[]` items naming the person by PSID, in POSTs that
    also carry marketing-message events; a tapper with a PSID is the message's recipient."""
    mixed, psid_taps = 0, []
    for _campaign, _day, stream in all_streams:
        recipients = {e.psid for post in stream.posts for e in post.events if e.kind in (p.ECHO, p.DELIVERY)}
        for post in stream.posts:
            fields = [field for field, _value in items(post.body)]
            mixed += p.QUICK_REPLY in fields and any(f in p.FUNNEL_KINDS for f in fields)
            for entry in post.body["entry"]:
                for item in entry.get("messaging", []):
                    if "message" in item:
                        assert set(item) == {"sender", "recipient", "timestamp", "message"}
                        assert set(item["message"]) == {"mid", "text", "quick_reply"}
                        assert item["message"]["text"] in {"Yes please!", "Not now", "Sizes & fit", "Ja, gerne 🛍️"}
                        assert set(item["message"]["quick_reply"]) == {"payload"} and "id" in item["sender"]
                    if "message" in item or "postback" in item:
                        assert str(item["recipient"]["id"]) == stream.page_id
                        if "id" in item["sender"]:
                            psid_taps.append(str(item["sender"]["id"]) in recipients)
    assert mixed > 0
    assert any(psid_taps) and not all(psid_taps)  # Custom Audience subscribers tap with a PSID nobody named
