-- Funnel webhook events at or after ? (UTC timestamp); other event types do not enter the funnel.
select event_type, page_id, message_campaign_id, subscription_token, tracking_id,
       timezone('UTC', event_ts) as event_ts, rowid as raw_rowid
from raw.webhook_events
where event_ts >= ?
  and event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
