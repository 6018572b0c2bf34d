"""What each warehouse column means, in the words of `docs/analysts.md` and the design's warehouse
contract; `assets/catalog.py` puts them beside the column types DuckDB gives the migrated tables.
A column left out here is bookkeeping (source file and line, keys) or documented by its table."""

from __future__ import annotations

_IDS = {
    "ad_account_id": "Ad account id (digits, as text; without act_).",
    "message_campaign_id": "Marketing message campaign id (text): the id of /<id>/insights, the Send API's "
                           "message_id and the webhooks' message_id.",
    "page_id": "The sending Facebook Page (text).",
    "currency": "The ad account's currency; money columns are in its units (not cents), never summed across currencies.",
}
_ACCOUNT_DATE = "Calendar date in the ad account's time zone (as Meta reports insights)."
_UTC_DATE = "UTC date (webhooks and send logs are timestamped in UTC)."
_SOURCE_FILE = {"source_file": "Export file the row was read from.", "source_line": "Line of that file."}

COLUMNS: dict[str, dict[str, str]] = {
    "marts.campaign_daily": {
        **_IDS, "campaign_name": "Campaign name as written in Ads Manager.", "date": _ACCOUNT_DATE,
        "spend": "Amount spent, in account currency units.",
        "delivered": "Meta's marketing_messages_delivered (excludes recipients in regions Meta leaves out).",
        "reads": "Messages read.", "link_clicks": "Link clicks.",
        "read_rate": "Read rate in percent, Meta's.", "delivery_rate": "Delivery rate in percent, Meta's.",
        "purchases": "Pixel purchases, attribution window `default`.",
        "purchase_value": "Pixel purchase value, attribution window `default`, in account currency units.",
        "roas": "purchase_value / spend; NULL when spend is 0. Over a range: ratio of sums, never an average.",
        "api_roas": "Meta's website_purchase_roas, kept for reconciliation.",
    },
    "marts.conversions_daily": {
        **_IDS, "date": _ACCOUNT_DATE,
        "action_type": "One of the ten offsite_conversion.fb_pixel_* types (nothing double counted).",
        "attribution_window": "Attribution window pulled; `default` is Meta's value.",
        "conversions": "Conversions of that type and window.",
        "conversion_value": "Their value, in account currency units.",
    },
    "marts.delivery_funnel_daily": {
        **_IDS, "date": "UTC date of the send.",
        "attempted": "Send API attempts (send log).", "accepted": "Accepted attempts (send log).",
        "rejected": "Rejected attempts (send log).", "sent": "Accepted sends.",
        "delivered": "Sends delivered (webhooks; a later stage implies the earlier ones).",
        "read": "Sends read.", "clicked": "Sends clicked.",
        "failed": "Sends with a delivery_failed webhook that never reached delivered.",
        "unattributed_events": "Webhook events that matched no send, counted on their own date.",
    },
    "marts.error_codes_daily": {
        **_IDS, "date": _UTC_DATE, "source": "`send_api` or `delivery_failed_webhook`.",
        "error_code": "The Marketing Messages code as a number (also when Meta sent its name), a name the "
                      "catalogue does not know as sent, or `unknown`.",
        "error_name": "The code's name in the error-code catalogue.",
        "category": "frequency_cap, pacing_or_budget, recipient_unavailable, rate_limit, creative_or_validation, "
                    "setup, transient, auth or unknown.",
        "retryable": "Whether a retry can help.", "advice": "What to do about it.",
        "occurrences": "How often it occurred (at least one).",
    },
    "marts.delivery_estimates": {
        **_IDS, "snapshot_date": "Day the estimate was taken, in the ad account's time zone.",
        "daily_budget": "Budget the estimate was asked for (NULL: no cap).",
        "estimate_delivery_lower_bound": "Meta's estimate: fewest deliveries.",
        "estimate_delivery_upper_bound": "Meta's estimate: most deliveries.",
        "estimate_cost_lower_bound": "Meta's estimate: lowest cost, in account currency units.",
        "estimate_cost_upper_bound": "Meta's estimate: highest cost, in account currency units.",
        "actual_days": "Days of insights judged against the estimate (0 = not judged yet).",
        "actual_delivered": "That day's actual delivered (insights).", "actual_spend": "That day's actual spend.",
        "delivered_within_estimate": "Whether actual delivered fell within the bounds.",
        "spend_within_estimate": "Whether actual spend fell within the bounds.",
    },
    "marts.responses_daily": {
        **_IDS, "message_campaign_id": "Marketing message campaign id (text); NULL when the tap was tied to no message.",
        "date": "UTC date of the tap.",
        "kind": "`postback` (a button) or `quick_reply`.",
        "title": "The button's title, or the text Meta sends back for a quick reply (its title).",
        "payload": "The button's or quick reply's payload.",
        "responses": "Distinct taps.",
        "attributed": "Whether the tap was tied to a marketing message (message_campaign_id set).",
    },
    "raw.ad_accounts": {
        **_IDS, "account_name": "Account name.", "currency_offset": "Meta's minor-unit offset of the currency.",
        "timezone_name": "Time zone insights are reported in.", "account_status": "Meta's account status code.",
    },
    "raw.message_campaigns": {
        **_IDS, "campaign_name": "Campaign name.", "status": "Campaign status.",
        "daily_budget": "Daily budget, in currency units.", "lifetime_budget": "Lifetime budget, in currency units.",
        "start_time": "Start.", "end_time": "End.", "pixel_id": "Pixel of the campaign's purchases.",
    },
    "raw.campaign_insights_daily": {
        **_IDS, "date": _ACCOUNT_DATE, "spend": "Amount spent.",
        "delivered": "marketing_messages_delivered.", "link_clicks": "Link clicks.",
        "website_purchase_roas": "Meta's website_purchase_roas for offsite_conversion.fb_pixel_purchase.",
    },
    "raw.campaign_actions_daily": {
        **_IDS, "date": _ACCOUNT_DATE, "action_type": "offsite_conversion.fb_pixel_* type.",
        "attribution_window": "Attribution window (`default` = Meta's value).",
        "conversions": "Actions.", "conversion_value": "Action values, in currency units.",
    },
    "raw.delivery_estimates": {
        **_IDS, "snapshot_date": "Today in the account's time zone when the estimate was taken.",
        "daily_budget": "Budget asked for (NULL: no cap).",
    },
    "raw.webhook_events": {
        **_IDS, **_SOURCE_FILE,
        "event_type": "echo, delivery, read, click, delivery_failed or subscriber_upload_status.",
        "event_ts": "When it happened (UTC).", "payload": "The event as received.",
        "subscription_token": "Recipient's subscription token (pseudonymised in the analyst snapshot).",
    },
    "raw.send_attempts": {
        **_IDS, **_SOURCE_FILE, "ts": "When the sender called the Send API (UTC).",
        "http_status": "HTTP status of the attempt.", "success": "Whether it was accepted.",
        "tracking_id": "marketing_message_tracking_id of an accepted send.",
        "error_code": "Error code (numbers only).", "error_subcode": "Error subcode (numbers only).",
        "error_name": "The error's name when Meta sent a name instead of a number.",
    },
}
