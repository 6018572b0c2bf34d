-- The earliest UTC timestamp, and the count, of the rows past rowid $1 in raw.send_attempts and past
-- rowid $2 in raw.webhook_events (the rows a mart has not read yet; a tail scan).
select min(ts), sum(n)::bigint, sum(n) filter (where t = 'send_attempts')::bigint,
       sum(n) filter (where t = 'webhook_events')::bigint
from (
    select 'send_attempts' as t, min(timezone('UTC', ts)) as ts, count(*) as n
    from raw.send_attempts where rowid > $1
    union all
    select 'webhook_events', min(timezone('UTC', event_ts)), count(*)
    from raw.webhook_events where rowid > $2
)
