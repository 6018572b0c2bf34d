-- Send attempts at or after ? (UTC timestamp), with only what the funnel needs.
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
select make_timestamp(epoch_us(ts)) as ts, message_campaign_id, subscription_token, success, tracking_id, rowid as raw_rowid
from raw.send_attempts
where ts >= ?
