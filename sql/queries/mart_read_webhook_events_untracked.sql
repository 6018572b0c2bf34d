-- Funnel webhook events at or after ? (UTC timestamp) without a tracking id (clicks, failures), whole:
-- the funnel attributes them by campaign and token (a full rebuild; mart_read_webhook_events_linked.sql
-- reads the others). UTC wall time by integer arithmetic (see mart_read_webhook_events.sql).
select event_type, page_id, message_campaign_id, subscription_token, tracking_id,
       make_timestamp(epoch_us(event_ts)) as event_ts, rowid as raw_rowid
from raw.webhook_events
where event_ts >= ?
  and tracking_id is null
  and event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
