"""Marketing-message campaigns of an ad account (meta-api.md §3.2, §3.3).

Grain: one `MessageCampaign` per message campaign id (the id behind `/<id>/insights`, the Send
API's `message_id` and webhooks' `message_id`). MM campaigns may be missing from
`/act_<id>/campaigns` (§3.1), so they are listed through `/act_<id>/ads` with
`campaign{is_message_campaign}` and filtered client-side too (the server-side filter is
unverified). When the listing lacks the page or the pixel, the campaign node is read
(`GET /<id>?fields=...adset{promoted_object{pixel_id}}`). Budgets arrive in minor units and are
stored in currency units using the account's offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pipelines.graph.accounts import AdAccount, minor_to_units
from pipelines.graph.client import GraphClient
from pipelines.graph.errors import GraphError
from pipelines.graph.insights import to_id
from pipelines.graph.paging import iter_rows
from pipelines.numbers import digits_int

ADSET_FIELDS = "id,name,daily_budget,lifetime_budget,start_time,end_time,promoted_object{pixel_id}"
CAMPAIGN_FIELDS = "id,name,status,is_direct_send_campaign,is_message_campaign"
LISTING_FIELDS = f"id,status,adset{{{ADSET_FIELDS}}},campaign{{{CAMPAIGN_FIELDS}}},creative{{actor_id}}"
NODE_FIELDS = f"id,campaign{{name}},creative{{actor_id}},adset{{{ADSET_FIELDS}}}"
MESSAGE_CAMPAIGN_FILTER = [{"field": "campaign.is_message_campaign", "operator": "EQUAL", "value": True}]


@dataclass(frozen=True)
class MessageCampaign:
    message_campaign_id: str
    ad_account_id: str
    campaign_name: str | None
    page_id: str | None
    status: str | None
    daily_budget: Decimal | None
    lifetime_budget: Decimal | None
    start_time: datetime | None
    end_time: datetime | None
    pixel_id: str | None
    adset_id: str | None
    ad_id: str | None


def parse_time(value: Any, what: str) -> datetime | None:
    """ISO-8601 with offset (ad set fields) or a UNIX timestamp (the MM docs): both accepted."""
    if value is None or value == "" or value == 0 or value == "0":
        return None
    text = str(value).strip()
    if (seconds := digits_int(text)) is not None:
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise GraphError(f"{what}: {text[:40]!r} is not a time") from None
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # Graph's "+0000" offset form
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(f"{what}: {text[:40]!r} is not a time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _opt_id(value: Any, what: str) -> str | None:
    return None if value is None or value == "" else to_id(value, what)


def parse_campaign(ad: dict[str, Any], account: AdAccount) -> MessageCampaign:
    """One `/act_<id>/ads` row (or campaign node) into a typed campaign."""
    campaign = _obj(ad.get("campaign"))
    adset = _obj(ad.get("adset"))
    campaign_id = to_id(campaign.get("id", ad.get("id")), f"act_{account.ad_account_id} campaign id")
    where = f"act_{account.ad_account_id} campaign {campaign_id}"
    offset = account.currency_offset
    return MessageCampaign(
        message_campaign_id=campaign_id,
        ad_account_id=account.ad_account_id,
        campaign_name=campaign.get("name") if isinstance(campaign.get("name"), str) else None,
        page_id=_opt_id(_obj(ad.get("creative")).get("actor_id"), f"{where} page id"),
        status=str(campaign.get("status") or ad.get("status") or "") or None,
        daily_budget=_budget(adset.get("daily_budget"), offset, f"{where} daily_budget"),
        lifetime_budget=_budget(adset.get("lifetime_budget"), offset, f"{where} lifetime_budget"),
        start_time=parse_time(adset.get("start_time"), f"{where} start_time"),
        end_time=parse_time(adset.get("end_time"), f"{where} end_time"),
        pixel_id=_opt_id(_obj(adset.get("promoted_object")).get("pixel_id"), f"{where} pixel_id"),
        adset_id=_opt_id(adset.get("id"), f"{where} adset id"),
        ad_id=_opt_id(ad.get("id"), f"{where} ad id"),
    )


def _budget(value: Any, offset: int, what: str) -> Decimal | None:
    """Graph reports the budget a campaign does not use as "0": that is "not set", not zero."""
    amount = minor_to_units(value, offset, what)
    return None if amount is None or amount == 0 else amount


def _needs_node(ad: dict[str, Any]) -> bool:
    adset = _obj(ad.get("adset"))
    return "creative" not in ad or "promoted_object" not in adset


def fetch_message_campaign_ids(client: GraphClient, account_id: str) -> set[str]:
    """The ids of the account's message campaigns: the listing with only the fields needed."""
    params = {"fields": "campaign{id,is_message_campaign}", "filtering": MESSAGE_CAMPAIGN_FILTER, "limit": 500}
    ids = set()
    for ad in iter_rows(client, f"act_{account_id}/ads", params, account=account_id):
        campaign = _obj(ad.get("campaign"))
        if campaign.get("is_message_campaign") is True:
            ids.add(to_id(campaign.get("id"), f"act_{account_id} campaign id"))
    return ids


def fetch_campaigns(client: GraphClient, account: AdAccount) -> list[MessageCampaign]:
    """Every message campaign of the account, sorted by id; one row per campaign id."""
    params = {"fields": LISTING_FIELDS, "filtering": MESSAGE_CAMPAIGN_FILTER, "limit": 200}
    aid = account.ad_account_id
    found: dict[str, MessageCampaign] = {}
    for ad in iter_rows(client, f"act_{aid}/ads", params, account=aid):
        if _obj(ad.get("campaign")).get("is_message_campaign") is not True:
            continue
        if _needs_node(ad):
            campaign_id = to_id(_obj(ad.get("campaign")).get("id"), f"act_{aid} campaign id")
            node = client.get(campaign_id, {"fields": NODE_FIELDS}, account=aid)
            if not isinstance(node, dict):
                raise GraphError(f"act_{aid} campaign {campaign_id}: the campaign node is not an object")
            merged_adset = {**_obj(ad.get("adset")), **_obj(node.get("adset"))}
            merged_campaign = {**_obj(node.get("campaign")), **_obj(ad.get("campaign"))}
            ad = {**ad, "adset": merged_adset, "campaign": merged_campaign, "creative": _obj(node.get("creative"))}
        parsed = parse_campaign(ad, account)
        # One MM campaign is one ad in Meta's model; if Meta ever lists two ads for one campaign
        # id, the lowest ad id wins so repeated runs pick the same row.
        current = found.get(parsed.message_campaign_id)
        if current is None or (parsed.ad_id or "") < (current.ad_id or ""):
            found[parsed.message_campaign_id] = parsed
    return [found[key] for key in sorted(found)]
