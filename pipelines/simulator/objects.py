"""The Graph API's objects as the simulator shapes them: error envelope, ad account, message
campaign (Ad-node shape), field selection, listing filters, async report runs (reference §1–§3, §5.1).

Reading of the ambiguous message-campaign object (reference §1.1, issue 3): the message campaign
id is `campaign.id` in the `/act_<id>/ads` listing, the node behind `/<id>/insights` and the Send
API's `message_id`. The node `GET /<message_campaign_id>` answers with the Ad-node shape of §3.2
(`campaign{name}`, `creative{actor_id}`, `adset{...}`), and the ad and ad set ids of a message
campaign resolve to the same object, so a client written to either reading works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


class GraphError(Exception):
    """A Graph API error answered with the envelope of reference §5.1."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        type: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.type, self.subcode = code, message, type, subcode
        self.status, self.is_transient = status, is_transient
        self.user_title, self.user_msg = user_title, user_msg

    def envelope(self, trace_id: str) -> dict:
        error: dict = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
            error["error_user_msg"] = self.user_msg or ""
        error["fbtrace_id"] = trace_id
        return {"error": error}


def not_found(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        type="GraphMethodException",
        subcode=33,
    )


def no_permission(account_id: str) -> GraphError:
    return GraphError(
        200,
        f"(#200) Ad account owner has NOT grant ads_management or ads_read permission (act_{account_id})",
        type="OAuthException",
    )


# ---- field selection ------------------------------------------------------------------------


def parse_fields(spec: str | None) -> dict[str, dict | None]:
    """`id,campaign{name},adset{promoted_object{pixel_id}}` → {"id": None, "campaign": {"name": None}, ...}."""
    if not spec:
        return {}
    position = 0

    def parse_level() -> dict[str, dict | None]:
        nonlocal position
        fields: dict[str, dict | None] = {}
        name = ""
        while position < len(spec):
            char = spec[position]
            position += 1
            if char == ",":
                if name.strip():
                    fields.setdefault(name.strip(), None)
                name = ""
            elif char == "{":
                fields[name.strip()] = parse_level()
                name = ""
            elif char == "}":
                break
            else:
                name += char
        if name.strip():
            fields.setdefault(name.strip(), None)
        return fields

    return parse_level()


def project(obj: dict, fields: dict[str, dict | None], node_type: str, strict: bool = True) -> dict:
    """The requested subset of `obj`; unknown top-level fields are Meta's error 100."""
    out: dict = {}
    for name, sub in fields.items():
        if name not in obj:
            if strict and name not in OPTIONAL_FIELDS:
                raise GraphError(100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")
            continue
        value = obj[name]
        if isinstance(value, dict):
            value = project(value, sub or {}, node_type, strict=False)
        out[name] = value
    if "id" in obj and "id" not in out:
        out["id"] = obj["id"]  # Graph always appends the id of every object it returns
    return out


# Fields that exist on the node type but that this object may lack (absent end time or pixel).
OPTIONAL_FIELDS = {"end_time", "pixel_id", "lifetime_budget", "daily_budget"}


# ---- objects --------------------------------------------------------------------------------


def meta_time(moment, timezone_name: str) -> str | int | None:
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


def ad_object(campaign, account) -> dict:
    """One message campaign in the Ad-node shape of reference §3.2/§3.3 (budgets: minor units)."""
    tz = account.timezone_name
    daily = getattr(campaign, "daily_budget_minor", None)
    lifetime = getattr(campaign, "lifetime_budget_minor", None)
    promoted = {"page_id": campaign.page_id}
    if campaign.pixel_id:
        promoted["pixel_id"] = campaign.pixel_id
    adset = {
        "id": campaign.adset_id,
        "name": campaign.name,
        # Meta answers "0" for the budget kind an ad set does not use.
        "daily_budget": str(daily or 0),
        "lifetime_budget": str(lifetime or 0),
        "start_time": meta_time(campaign.start_time, tz),
        "end_time": meta_time(campaign.end_time, tz),
        "promoted_object": promoted,
        "status": campaign.status,
    }
    adset = {k: v for k, v in adset.items() if v is not None}
    return {
        "id": campaign.ad_id,
        "name": campaign.name,
        "account_id": account.account_id,
        "status": campaign.status,
        "effective_status": campaign.status,
        "adset_id": campaign.adset_id,
        "campaign_id": campaign.message_campaign_id,
        "adset": adset,
        "campaign": {
            "id": campaign.message_campaign_id,
            "name": campaign.name,
            "is_message_campaign": True,
            "is_direct_send_campaign": True,
            "status": campaign.status,
        },
        "creative": {"actor_id": campaign.page_id},
    }


def filter_ads(ads: list[dict], filtering) -> list[dict]:
    """Server-side `filtering` on the listing: `campaign.is_message_campaign`, statuses, ids."""
    for rule in filtering if isinstance(filtering, list) else [filtering]:
        try:
            name, operator, value = rule["field"], str(rule["operator"]).upper(), rule["value"]
        except (KeyError, TypeError) as error:
            raise GraphError(100, "(#100) each filtering rule needs field, operator and value") from error
        values = {str(v).lower() for v in (value if isinstance(value, list) else [value])}
        path = name.split(".")
        if path[0] == "ad":
            path = path[1:]
        if path not in (["campaign", "is_message_campaign"], ["campaign", "is_direct_send_campaign"],
                        ["effective_status"], ["status"], ["campaign", "id"], ["adset", "id"], ["id"]):
            raise GraphError(100, f"(#100) Filtering field {name} is invalid")
        if operator not in ("EQUAL", "IN", "NOT_EQUAL", "NOT_IN"):
            raise GraphError(100, f"(#100) Filtering operator {operator} is not supported on {name}")

        def lookup(ad: dict, path=path):
            value = ad
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            return str(value).lower()

        keep = operator in ("EQUAL", "IN")
        ads = [ad for ad in ads if (lookup(ad) in values) == keep]
    return ads


@dataclass
class ReportRun:
    """An async insights job: its rows are fixed at submission; progress advances per poll."""

    id: str
    account_id: str
    rows: list[dict]
    polls_needed: int
    fate: str
    time_ref: int
    date_start: str
    date_stop: str
    polls: int = 0

    def status(self, version: tuple[int, int]) -> dict:
        self.polls += 1
        body = {"id": self.id, "account_id": self.account_id, "time_ref": self.time_ref}
        done = self.polls >= self.polls_needed
        if self.polls == 1:
            state, percent = "Job Not Started", 0
        elif self.polls == 2:
            state, percent = "Job Started", 0
        elif not done:
            state, percent = "Job Running", min(99, 100 * (self.polls - 2) // (self.polls_needed - 2))
        elif self.fate == "failed":
            state, percent = "Job Failed", min(99, 100 * (self.polls - 3) // max(1, self.polls_needed - 2))
        elif self.fate == "skipped":
            state, percent = "Job Skipped", 0
        else:
            state, percent = "Job Completed", 100
            body["time_completed"] = self.time_ref + 10 * self.polls_needed
        body.update(
            async_status=state,
            async_percent_completion=percent,
            date_start=self.date_start,
            date_stop=self.date_stop,
            is_running=state in ("Job Not Started", "Job Started", "Job Running"),
        )
        if state == "Job Failed" and version >= (25, 0):
            body.update(
                error_code=-2,
                error_subcode=2490547,
                error_message="Report failed",
                error_user_title="Report failed",
                error_user_msg="The report could not be completed. Please try again later.",
            )
        return body

    @property
    def completed(self) -> bool:
        return self.fate == "completed" and self.polls >= self.polls_needed
