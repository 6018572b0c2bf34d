-- How far the raw tables the responses mart reads reach now: the highest rowid and the row count of each.
-- The highest rowid is read from rowid n - 1 on, as in mart_source_watermarks.sql.
with taps as (select count(*) as n from raw.messenger_events),
     events as (select count(*) as n from raw.webhook_events)
select 'messenger_events' as source_table,
       (select coalesce(max(rowid), -1) from raw.messenger_events where rowid >= (select n - 1 from taps)) as max_rowid,
       (select n from taps) as row_count
union all
select 'webhook_events',
       (select coalesce(max(rowid), -1) from raw.webhook_events where rowid >= (select n - 1 from events)),
       (select n from events)
