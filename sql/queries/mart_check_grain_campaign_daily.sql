-- Duplicate grain keys in marts.campaign_daily (message_campaign_id, date): the check passes only when this returns no row.
select message_campaign_id, date, count(*) as n, count(*) over () as violations
from marts.campaign_daily
group by message_campaign_id, date
having count(*) > 1
order by n desc
limit 10
