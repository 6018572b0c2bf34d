"""Small frame builders for the transform tests: raw rows with only the columns that matter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

T0 = dt.datetime(2026, 5, 1, 10, 0, 0)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


ATTEMPT_SCHEMA = {"ts": pl.Datetime("us"), "message_campaign_id": pl.String, "subscription_token": pl.String,
                  "success": pl.Boolean, "tracking_id": pl.String, "error_code": pl.Int64, "error_subcode": pl.Int64,
                  "error_name": pl.String, "error_message": pl.String}
EVENT_SCHEMA = {"event_type": pl.String, "page_id": pl.String, "message_campaign_id": pl.String,
                "subscription_token": pl.String, "tracking_id": pl.String, "event_ts": pl.Datetime("us"),
                "error_message": pl.String}


def send(minute: float, token: str, tracking: str | None, campaign: str = "c1", success: bool = True,
         code: int | None = None, subcode: int | None = None, message: str | None = None,
         name: str | None = None) -> dict:
    return {"ts": at(minute), "message_campaign_id": campaign, "subscription_token": token, "success": success,
            "tracking_id": tracking if success else None, "error_code": code, "error_subcode": subcode,
            "error_name": name, "error_message": message}


def event(kind: str, minute: float, token: str | None, tracking: str | None = None, campaign: str = "c1",
          page: str | None = "p1", message: str | None = None) -> dict:
    return {"event_type": kind, "page_id": page, "message_campaign_id": campaign, "subscription_token": token,
            "tracking_id": tracking, "event_ts": at(minute), "error_message": message}


def attempts(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ATTEMPT_SCHEMA)


def events(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EVENT_SCHEMA)


def campaigns(*pairs: tuple[str, str]) -> pl.DataFrame:
    rows = [{"message_campaign_id": c, "campaign_name": f"name {c}", "page_id": p} for c, p in pairs]
    return pl.DataFrame(rows, schema={"message_campaign_id": pl.String, "campaign_name": pl.String, "page_id": pl.String})


INSIGHT_SCHEMA = {"ad_account_id": pl.String, "message_campaign_id": pl.String, "date": pl.Date, "currency": pl.String,
                  "spend": pl.Decimal(18, 4), "delivered": pl.Int64, "link_clicks": pl.Int64,
                  "read_rate": pl.Decimal(18, 6), "delivery_rate": pl.Decimal(18, 6),
                  "website_purchase_roas": pl.Decimal(18, 6)}
ACTION_SCHEMA = {"ad_account_id": pl.String, "message_campaign_id": pl.String, "date": pl.Date, "action_type": pl.String,
                 "attribution_window": pl.String, "conversions": pl.Decimal(18, 4),
                 "conversion_value": pl.Decimal(18, 4)}


def insight(campaign: str, day: int, spend: str, delivered: int, read_rate: str = "50", clicks: int = 0,
            api_roas: str | None = None, account: str = "1", currency: str = "USD") -> dict:
    return {"ad_account_id": account, "message_campaign_id": campaign, "date": dt.date(2026, 5, day),
            "currency": currency, "spend": Decimal(spend), "delivered": delivered, "link_clicks": clicks,
            "read_rate": Decimal(read_rate), "delivery_rate": Decimal("90"),
            "website_purchase_roas": Decimal(api_roas) if api_roas else None}


def action(campaign: str, day: int, action_type: str, window: str, count: str, value: str | None,
           account: str = "1") -> dict:
    return {"ad_account_id": account, "message_campaign_id": campaign, "date": dt.date(2026, 5, day),
            "action_type": action_type, "attribution_window": window, "conversions": Decimal(count),
            "conversion_value": Decimal(value) if value is not None else None}


def insights(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=INSIGHT_SCHEMA)


def actions(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ACTION_SCHEMA)


def accounts(*pairs: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame([{"ad_account_id": a, "currency": c} for a, c in pairs],
                        schema={"ad_account_id": pl.String, "currency": pl.String})
