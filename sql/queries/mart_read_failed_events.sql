-- delivery_failed webhook events at or after ? (UTC timestamp): the error mart needs nothing else.
select event_type, page_id, message_campaign_id, subscription_token, tracking_id,
       timezone('UTC', event_ts) as event_ts, error_message
from raw.webhook_events
where event_ts >= ? and event_type = 'delivery_failed'
