-- The report's delivery funnel: marts.delivery_funnel_daily for the window [?, ?] (UTC send dates, inclusive).
select *
from marts.delivery_funnel_daily
where date between ? and ?
