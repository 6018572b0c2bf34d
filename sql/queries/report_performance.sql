-- The report's campaign performance: marts.campaign_daily for the window [?, ?] (dates inclusive).
select *
from marts.campaign_daily
where date between ? and ?
