-- Funnel webhook events at or after $1 (UTC timestamp) that carry a tracking id, for a full rebuild,
-- linked to their send: `send_rowid` is the rowid of the first accepted send attempt at or after $1
-- carrying the event's id. A linked event counts by its send and type alone, so nothing else is read
-- (DuckDB joins Meta's string ids where the rows are; polars gets two narrow columns). When no such
-- send has the id, send_rowid is NULL and `unlinked_rowid` is the event's rowid, to be read whole
-- (mart_read_webhook_events_by_rowid.sql).
with by_id as (
    select tracking_id, min(rowid) as send_rowid
    from raw.send_attempts
    where ts >= $1 and success and tracking_id is not null
    group by tracking_id
)
select e.event_type, b.send_rowid, case when b.send_rowid is null then e.rowid end as unlinked_rowid
from raw.webhook_events as e
left join by_id as b on b.tracking_id = e.tracking_id
where e.event_ts >= $1
  and e.tracking_id is not null
  and e.event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
