-- The earliest UTC timestamp among raw rows that mart ? has not seen yet (lines past its build state).
with seen as (
    select source_table, source_file, max_line from marts.build_state where mart = $1
)
select min(ts) from (
    select min(timezone('UTC', a.ts)) as ts
    from raw.send_attempts as a
    left join seen as s on s.source_table = 'send_attempts' and s.source_file = a.source_file
    where s.max_line is null or a.source_line > s.max_line
    union all
    select min(timezone('UTC', e.event_ts)) as ts
    from raw.webhook_events as e
    left join seen as s on s.source_table = 'webhook_events' and s.source_file = e.source_file
    where s.max_line is null or e.source_line > s.max_line
)
