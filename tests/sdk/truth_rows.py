"""`mmlens simulator truth` in the shapes the SDK reads, for row-for-row comparisons."""

from __future__ import annotations

from decimal import Decimal

from pipelines.simulator.truth import truth
from tests.sdk.conftest import SINCE, UNTIL

WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
_TRUTH: dict[int, dict] = {}


def _truth(world) -> dict:
    if id(world) not in _TRUTH:  # one world per session; truth walks every send, so read it once
        _TRUTH[id(world)] = truth(world, SINCE, UNTIL)
    return _TRUTH[id(world)]


def expected_days(world, account_id: str) -> set[tuple]:
    """(campaign, day, spend, delivered, reads, link clicks) per campaign-day of last_90d."""
    return {
        (r["message_campaign_id"], r["date"], r["spend"], r["insights_delivered"], r["reads"], r["link_clicks"])
        for r in _truth(world)["campaign_days"]
        if r["ad_account_id"] == account_id
    }


def expected_conversions(world, account_id: str) -> set[tuple]:
    """(campaign, day, action type, window, count) with a count, per truth's conversions."""
    campaigns = {c.message_campaign_id for c in world.campaigns(account_id)}
    return {
        (r["message_campaign_id"], r["date"], r["action_type"], r["attribution_window"], r["conversions"])
        for r in _truth(world)["conversions"]
        if r["message_campaign_id"] in campaigns and r["conversions"]
    }


def read_days(rows) -> set[tuple]:
    return {
        (r["campaign_id"], r["date_start"], Decimal(r["marketing_messages_spend"]),
         int(r["marketing_messages_delivered"]), int(r["marketing_messages_read"]),
         int(r["marketing_messages_link_btn_click"]))
        for r in rows
    }


def read_conversions(rows) -> set[tuple]:
    seen = set()
    for row in rows:
        for entry in row.get("actions", []):
            for key in ("value", *WINDOWS):
                if key in entry and int(entry[key]):
                    window = "default" if key == "value" else key
                    seen.add((row["campaign_id"], row["date_start"], entry["action_type"], window, int(entry[key])))
    return seen
