-- Webhook events by rowid (a list), whole: the tracked events a full rebuild's linked read found no send for.
-- UTC wall time by integer arithmetic (see mart_read_webhook_events.sql).
select event_type, page_id, message_campaign_id, subscription_token, tracking_id,
       make_timestamp(epoch_us(event_ts)) as event_ts, rowid as raw_rowid
from raw.webhook_events
where rowid in (select unnest(?::bigint[]))
