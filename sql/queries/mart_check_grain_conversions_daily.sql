-- Duplicate grain keys in marts.conversions_daily (message_campaign_id, date, action_type, attribution_window): the check passes only when this returns no row.
select message_campaign_id, date, action_type, attribution_window, count(*) as n, count(*) over () as violations
from marts.conversions_daily
group by message_campaign_id, date, action_type, attribution_window
having count(*) > 1
order by n desc
limit 10
