"""Hand-made webhook bodies and send-log lines after the samples in the reference (meta-api §4, §5)."""

from __future__ import annotations

import orjson

PAGE = 140984918491243
TS_S = 1764201600  # 2025-11-27 00:00:00 UTC
TS_MS = TS_S * 1000 + 123


def echo(n: int = 0, **overrides) -> dict:
    """A marketing_message_echoes inner object, as documented (ids as JSON numbers)."""
    value = {
        "recipient_id": 123123123123 + n, "page_id": PAGE, "app_id": 12313123123123, "timestamp": TS_S + n,
        "mid": f"mid.$c{n}", "marketing_message_tracking_id": f"98ecd977-245a-4ec0-a8e0-{n:012d}",
        "messenger_subscription_token": "12348141984909088", "message_id": "124141414124",
    }
    value.update(overrides)
    return value


def delivery_failed(n: int = 0) -> dict:
    return {"app_id": 12313123123123, "business_id": 134141414124123, "page_id": PAGE,
            "messenger_subscription_token": "12348141984909088", "timestamp": TS_S + n,
            "error_message": "Unknown Error", "message_id": "124141414124"}


def upload_status() -> dict:
    return {"app_id": 12313123123123, "page_id": 134141414124123, "custom_audience_id": 140984918491243,
            "ad_account_id": 12348141984909088, "timestamp": TS_S, "num_rows": 1000,
            "business_id": 12313123123123, "approximate_count_lower_bound": 105,
            "approximate_count_upper_bound": 120, "batch_uploading_status": "SUCCESS"}


def postback() -> dict:
    return {"sender": {"id": "7001"}, "recipient": {"id": str(PAGE)}, "timestamp": "1527459824",
            "postback": {"mid": "m_MESSAGE_ID", "title": "Shop", "payload": "P",
                         "referral": {"ref": "r", "source": "SHORT_URL", "type": "OPEN_THREAD"}}}


def optin() -> dict:
    return {"sender": {"id": "7002"}, "recipient": {"id": str(PAGE)}, "timestamp": TS_MS,
            "optin": {"type": "notification_messages", "payload": "p", "notification_messages_token": "tok-1",
                      "notification_messages_timezone": "UTC", "notification_messages_status": "RESUME"}}


def changes(*items: tuple[str, dict], page: int = PAGE, time: int = TS_MS) -> dict:
    """`{object: page, entry: [{changes: [{field, value}, ...]}]}` (the likely MM envelope)."""
    return {"object": "page", "entry": [{"id": str(page), "time": time,
                                          "changes": [{"field": f, "value": v} for f, v in items]}]}


def messaging(*items: dict, page: int = PAGE, time: int = TS_MS) -> dict:
    return {"object": "page", "entry": [{"id": str(page), "time": time, "messaging": list(items)}]}


def line(document: object) -> bytes:
    return orjson.dumps(document)


def send_ok(n: int = 0, ts: object = TS_S) -> dict:
    return {"ts": ts, "ad_account_id": "act_1001", "message_id": "124141414124", "subscription_token": f"tok-{n}",
            "http_status": 200, "response": {"success": True, "marketing_message_tracking_id": f"trk-{n}"}}


def send_error(code: int = 2300068, error_data: object = None, ts: object = TS_S) -> dict:
    error = {"message": "Try again later", "type": "OAuthException", "code": code, "error_subcode": 2446079,
             "is_transient": True, "fbtrace_id": "AnUyGZoFqN2m"}
    if error_data is not None:
        error["error_data"] = error_data
    return {"ts": ts, "ad_account_id": "1001", "message_id": "124141414124", "subscription_token": "tok-9",
            "http_status": 400, "response": {"error": error}}
