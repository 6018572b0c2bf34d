-- Error rows with fewer than one occurrence (must be none: a row exists because something happened).
select date, message_campaign_id, source, error_code, occurrences, count(*) over () as violations
from marts.error_codes_daily
where occurrences < 1
limit 10
