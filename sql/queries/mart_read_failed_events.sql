-- delivery_failed webhook events at or after ? (UTC timestamp): the error mart needs nothing else.
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
-- Only the columns the error mart reads: ids and tokens are nearly unique text, costly to move.
select event_type, message_campaign_id, make_timestamp(epoch_us(event_ts)) as event_ts, error_message
from raw.webhook_events
where event_ts >= ? and event_type = 'delivery_failed'
