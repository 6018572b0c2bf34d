-- Funnel webhook events at or after $1 (UTC timestamp) for a full rebuild, each with `send_rowid`:
-- the rowid of the first accepted send attempt at or after $1 carrying the event's tracking id (NULL
-- when it carries none or no such send has it). DuckDB joins the ids where the rows are, in about
-- half the CPU of the same join in polars at 10M events (bench/README.md); the funnel transform
-- attributes every other event. A matched event counts by its send and type alone, so its other
-- columns are read as NULL, which costs next to nothing to move.
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
with by_id as (
    select tracking_id, min(rowid) as send_rowid
    from raw.send_attempts
    where ts >= $1 and success and tracking_id is not null
    group by tracking_id
),
events as (
    select e.event_type, e.page_id, e.message_campaign_id, e.subscription_token, e.tracking_id, e.event_ts,
           e.rowid as raw_rowid, b.send_rowid
    from raw.webhook_events as e
    left join by_id as b on b.tracking_id = e.tracking_id
    where e.event_ts >= $1
      and e.event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
)
select event_type,
       case when send_rowid is null then page_id end as page_id,
       case when send_rowid is null then message_campaign_id end as message_campaign_id,
       case when send_rowid is null then subscription_token end as subscription_token,
       case when send_rowid is null then tracking_id end as tracking_id,
       case when send_rowid is null then make_timestamp(epoch_us(event_ts)) end as event_ts,
       raw_rowid, send_rowid
from events
