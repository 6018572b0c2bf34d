-- Duplicate grain keys in marts.delivery_estimates (ad_account_id, snapshot_date): the check passes only when this returns no row.
select ad_account_id, snapshot_date, count(*) as n, count(*) over () as violations
from marts.delivery_estimates
group by ad_account_id, snapshot_date
having count(*) > 1
order by n desc
limit 10
