-- How far the raw export tables reach now: the highest rowid and the row count of each.
select 'send_attempts' as source_table, coalesce(max(rowid), -1) as max_rowid, count(*) as row_count
from raw.send_attempts
union all
select 'webhook_events', coalesce(max(rowid), -1), count(*)
from raw.webhook_events
