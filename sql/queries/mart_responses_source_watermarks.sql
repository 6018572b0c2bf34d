-- How far the raw tables the responses mart reads reach now: the highest rowid and the row count of each.
select 'messenger_events' as source_table, coalesce(max(rowid), -1) as max_rowid, count(*) as row_count
from raw.messenger_events
union all
select 'webhook_events', coalesce(max(rowid), -1), count(*)
from raw.webhook_events
