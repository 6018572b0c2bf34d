-- How far the raw export tables reach now: the highest rowid and the row count of each.
-- n distinct rowids (never negative) reach at least n - 1, so the highest is among the rows from
-- rowid n - 1 on: a rowid bound DuckDB pushes into the scan, instead of reading every rowid.
with sends as (select count(*) as n from raw.send_attempts),
     events as (select count(*) as n from raw.webhook_events)
select 'send_attempts' as source_table,
       (select coalesce(max(rowid), -1) from raw.send_attempts where rowid >= (select n - 1 from sends)) as max_rowid,
       (select n from sends) as row_count
union all
select 'webhook_events',
       (select coalesce(max(rowid), -1) from raw.webhook_events where rowid >= (select n - 1 from events)),
       (select n from events)
