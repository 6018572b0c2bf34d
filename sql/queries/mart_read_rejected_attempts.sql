-- Rejected send attempts at or after ? (UTC timestamp): the error mart needs nothing else.
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
-- Only the columns the error mart reads (no tokens or tracking ids).
select make_timestamp(epoch_us(ts)) as ts, message_campaign_id, success, error_code, error_subcode, error_name,
       error_message
from raw.send_attempts
where ts >= ? and not success
