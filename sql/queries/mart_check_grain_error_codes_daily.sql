-- Duplicate grain keys in marts.error_codes_daily (date, message_campaign_id, source, error_code): the check passes only when this returns no row.
select date, message_campaign_id, source, error_code, count(*) as n, count(*) over () as violations
from marts.error_codes_daily
group by date, message_campaign_id, source, error_code
having count(*) > 1
order by n desc
limit 10
