"""Raw rows for the mart build tests, one call a row."""

from __future__ import annotations

import datetime as dt

import duckdb

UTC = dt.timezone.utc


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A UTC instant in May 2026."""
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=UTC)


def attempt(con: duckdb.DuckDBPyConnection, key: str, ts: dt.datetime, token: str, tracking: str | None,
            campaign: str = "c1", code: int | None = None) -> None:
    """A send attempt: accepted with a tracking id, rejected (with `code`) without one."""
    con.execute("insert into raw.send_attempts (attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, "
                "http_status, success, tracking_id, error_code, source_file, source_line) "
                "values (?, ?, '1', ?, ?, ?, ?, ?, ?, 'sends/a.ndjson', 1)",
                [key, ts, campaign, token, 200 if tracking else 400, tracking is not None, tracking, code])


def event(con: duckdb.DuckDBPyConnection, key: str, kind: str, ts: dt.datetime, token: str | None,
          tracking: str | None = None, campaign: str = "c1", recipient: str | None = None,
          message: str | None = None) -> None:
    con.execute("insert into raw.webhook_events (event_key, event_type, page_id, message_campaign_id, recipient_id, "
                "subscription_token, tracking_id, event_ts, error_message, source_file, source_line) "
                "values (?, ?, 'p1', ?, ?, ?, ?, ?, ?, 'webhooks/a.ndjson', 1)",
                [key, kind, campaign, recipient, token, tracking, ts, message])


def tap(con: duckdb.DuckDBPyConnection, key: str, ts: dt.datetime, psid: str, payload: str = "QR_YES") -> None:
    con.execute("insert into raw.messenger_events (event_key, event_type, page_id, sender_id, message_text, "
                "quick_reply_payload, event_ts, source_file, source_line) values (?, 'message', 'p1', ?, 'Yes', ?, ?, "
                "'webhooks/a.ndjson', 1)", [key, psid, payload, ts])


def campaigns(con: duckdb.DuckDBPyConnection) -> None:
    """One USD account (Los Angeles) with campaigns c1 and c2 on Page p1."""
    con.execute("insert into raw.ad_accounts values ('1', 'Shop', 'USD', 100, 'America/Los_Angeles', 1)")
    con.execute("insert into raw.message_campaigns (message_campaign_id, ad_account_id, campaign_name, page_id) "
                "values ('c1', '1', 'One', 'p1'), ('c2', '1', 'Two', 'p1')")


def watermarks(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple]:
    return con.execute("select source_table, max_rowid, row_count from marts.build_watermarks where mart = ? "
                       "order by all", [mart]).fetchall()


def is_registered(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a frame is registered under `name` (a view of this connection)."""
    try:
        con.execute(f"select * from {name}")
    except duckdb.CatalogException:
        return False
    return True
