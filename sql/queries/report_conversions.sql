-- The report's pixel conversions: marts.conversions_daily for the window [?, ?] (dates inclusive).
select *
from marts.conversions_daily
where date between ? and ?
