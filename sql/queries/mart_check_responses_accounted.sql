-- Every tap in raw.messenger_events counted once in marts.responses_daily: per UTC date, taps landed vs responses
-- counted (attributed or not). Returns the dates that differ.
with landed as (
    select timezone('UTC', event_ts)::date as date, count(*) as taps
    from raw.messenger_events
    where event_type = 'postback' or (event_type = 'message' and quick_reply_payload is not null)
    group by all
), counted as (
    select date, sum(responses) as responses from marts.responses_daily group by all
)
select coalesce(l.date, c.date) as date, coalesce(l.taps, 0) as taps, coalesce(c.responses, 0) as responses,
       count(*) over () as violations
from landed as l
full join counted as c on c.date = l.date
where coalesce(l.taps, 0) <> coalesce(c.responses, 0)
order by 1
limit 10
