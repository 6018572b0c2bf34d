-- The last line read of each export file, per raw table: what an incremental mart compares with its state.
select 'send_attempts' as source_table, source_file, max(source_line) as max_line
from raw.send_attempts
group by source_file
union all
select 'webhook_events' as source_table, source_file, max(source_line) as max_line
from raw.webhook_events
group by source_file
