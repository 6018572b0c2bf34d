-- Land the staged webhook events (`webhook_staged`, both lanes, keyed alike by `parse.event_key`) in one insert.
-- Each key is kept at its first occurrence (files in the order they are read, then line, then position in the line); events
-- already in the table (redeliveries) are skipped. Those are found by probing the table with the staged keys (the
-- hash table is built on the staging side, so memory does not grow with the table); a redelivery has its
-- original's timestamp, so the staged time range ($first_us..$last_us, bound as constants so that DuckDB skips the
-- row groups outside it by their min/max) bounds the rows read.
insert into raw.webhook_events (
    event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid,
    app_id, business_id, event_ts, error_message, payload, source_file, source_line
)
with landed as (
    select w.event_key
    from raw.webhook_events as w
    semi join webhook_staged as s on w.event_key = s.event_key
    where w.event_ts between make_timestamptz($first_us) and make_timestamptz($last_us)
),
repeated as (
    select event_key from webhook_staged group by event_key having count(*) > 1
),
firsts as (
    -- Only keys staged more than once need their first occurrence found.
    select s.event_key, min({'file': s.file_order, 'line': s.source_line, 'ordinal': s.ordinal}) as first
    from webhook_staged as s
    semi join repeated as r on s.event_key = r.event_key
    group by s.event_key
)
select
    s.event_key, s.event_type, s.page_id, s.message_campaign_id, s.recipient_id, s.subscription_token, s.tracking_id,
    s.mid, s.app_id, s.business_id, make_timestamptz(s.event_ts_us), s.error_message, s.payload, s.source_file,
    s.source_line
from webhook_staged as s
left join firsts as f on s.event_key = f.event_key
where (f.event_key is null or {'file': s.file_order, 'line': s.source_line, 'ordinal': s.ordinal} = f.first)
    and s.event_key not in (select event_key from landed)
