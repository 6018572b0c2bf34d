-- Duplicate grain keys in marts.delivery_funnel_daily (page_id, message_campaign_id, date): the check passes only when this returns no row.
select page_id, message_campaign_id, date, count(*) as n, count(*) over () as violations
from marts.delivery_funnel_daily
group by page_id, message_campaign_id, date
having count(*) > 1
order by n desc
limit 10
