-- Lake mode: one export file's rows of raw.webhook_events, to replace that file's rows in the lake's table.
select event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id,
    business_id, event_ts, error_message, payload::varchar as payload, source_file, source_line
from raw.webhook_events
where source_file = $file
