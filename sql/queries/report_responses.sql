-- The report's taps: marts.responses_daily for the window [?, ?] (UTC dates, inclusive).
select *
from marts.responses_daily
where date between ? and ?
