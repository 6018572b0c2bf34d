"""The Graph nodes of the world: ad account, campaign, ad set, ad (reference §3, [SDK] adobjects).

Each message campaign of the world is one Campaign (`message_campaign_id`), one AdSet (`adset_id`)
and one Ad (`ad_id`), as Meta models a direct-send campaign. The message campaign id is the
campaign's id: `campaign.id` in the `/act_<id>/ads` listing, the node behind `/<id>/insights` and
the Send API's `message_id`. Reading that node with the fields of reference §3.2 (`campaign{name}`,
`creative{actor_id}`, `adset{...}`) also works: the Campaign node answers them for its one ad set
and ad (INFERRED, docs/simulator.md). Budgets are strings in minor units; times ISO-8601 with the
account's offset.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# INFERRED (docs/simulator.md): the settings of a direct-send message campaign.
OBJECTIVE = "OUTCOME_ENGAGEMENT"
TARGETING = {"messenger_positions": ["marketing_messages"], "publisher_platforms": ["messenger"]}


def meta_time(moment, timezone_name: str) -> str | None:
    """ISO-8601 with a numeric offset in the account's zone, as Ad Set times come (`...-0700`)."""
    if moment is None:
        return None
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, ZoneInfo("UTC"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(timezone_name)).strftime("%Y-%m-%dT%H:%M:%S%z")


def account_object(account, now_utc: datetime) -> dict:
    offset = now_utc.astimezone(ZoneInfo(account.timezone_name)).utcoffset().total_seconds() / 3600
    return {
        "id": f"act_{account.account_id}",
        "account_id": account.account_id,
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone_name,
        "timezone_offset_hours_utc": int(offset) if offset == int(offset) else offset,
        "account_status": account.account_status,
        "business": {"id": account.business_id},
    }


def _common(campaign, account, object_id: str) -> dict:
    created = meta_time(campaign.created_time, account.timezone_name)
    return {
        "id": object_id,
        "name": campaign.name,
        "account_id": account.account_id,
        "status": campaign.status,
        "configured_status": campaign.status,
        "effective_status": campaign.status,
        "created_time": created,
        "updated_time": created,
    }


def _clean(node: dict) -> dict:
    return {k: v for k, v in node.items() if v is not None}


def campaign_node(campaign, account, with_children: bool = True) -> dict:
    """The Campaign node; `with_children` adds the §3.2 fields of its one ad set, ad and creative."""
    tz = account.timezone_name
    node = _common(campaign, account, campaign.message_campaign_id)
    node.update(
        objective=OBJECTIVE,
        buying_type="AUCTION",
        is_message_campaign=True,
        is_direct_send_campaign=True,
        start_time=meta_time(campaign.start_time, tz),
        stop_time=meta_time(campaign.end_time, tz),
    )
    if with_children:
        node["campaign"] = {"id": campaign.message_campaign_id, "name": campaign.name}
        node["adset"] = adset_node(campaign, account, with_campaign=False)
        node["creative"] = {"actor_id": campaign.page_id}
    return _clean(node)


def adset_node(campaign, account, with_campaign: bool = True) -> dict:
    tz = account.timezone_name
    daily = campaign.daily_budget_minor
    lifetime = campaign.lifetime_budget_minor
    promoted = {"page_id": campaign.page_id}
    if campaign.pixel_id:
        promoted["pixel_id"] = campaign.pixel_id
    node = _common(campaign, account, campaign.adset_id)
    node.update(
        campaign_id=campaign.message_campaign_id,
        # Meta answers "0" for the budget kind an ad set does not use.
        daily_budget=str(daily or 0),
        lifetime_budget=str(lifetime or 0),
        start_time=meta_time(campaign.start_time, tz),
        end_time=meta_time(campaign.end_time, tz),
        promoted_object=promoted,
        optimization_goal="IMPRESSIONS",
        billing_event="IMPRESSIONS",
        bid_strategy="LOWEST_COST_WITHOUT_CAP",
        targeting=TARGETING,
    )
    if with_campaign:
        node["campaign"] = campaign_node(campaign, account, with_children=False)
    return _clean(node)


def ad_node(campaign, account) -> dict:
    """The Ad node, with its ad set and campaign as nested objects (§3.3 listing shape)."""
    node = _common(campaign, account, campaign.ad_id)
    node.update(
        adset_id=campaign.adset_id,
        campaign_id=campaign.message_campaign_id,
        adset=adset_node(campaign, account, with_campaign=False),
        campaign=campaign_node(campaign, account, with_children=False),
        creative={"id": f"{campaign.ad_id}1", "actor_id": campaign.page_id},
        targeting=TARGETING,
    )
    return _clean(node)
