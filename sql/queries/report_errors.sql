-- The report's error codes: marts.error_codes_daily for the window [?, ?] (UTC dates, inclusive).
select *
from marts.error_codes_daily
where date between ? and ?
