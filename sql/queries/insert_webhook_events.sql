-- Land one batch of parsed webhook events from the registered data frame `batch`: the batch holds each event_key
-- once (its first occurrence, deduplicated by the parser), and events already in the table (redeliveries) are skipped.
insert into raw.webhook_events (
    event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid,
    app_id, business_id, event_ts, error_message, payload, source_file, source_line
)
select
    b.event_key, b.event_type, b.page_id, b.message_campaign_id, b.recipient_id, b.subscription_token,
    b.tracking_id, b.mid, b.app_id, b.business_id, b.event_ts, b.error_message, b.payload::json,
    b.source_file, b.source_line
from batch as b
where not exists (select 1 from raw.webhook_events as w where w.event_key = b.event_key)
