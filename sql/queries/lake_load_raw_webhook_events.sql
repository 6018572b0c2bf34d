-- Lake mode's mart build: raw.webhook_events in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, each event once, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.webhook_events (
    event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid,
    app_id, business_id, event_ts, error_message, payload, source_file, source_line
)
select event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id,
    business_id, event_ts, error_message, payload, source_file, source_line
from lake_rows
