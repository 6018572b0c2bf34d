-- Inserts error-code rows from the registered frame `mart_rows`.
insert into marts.error_codes_daily (
    date, message_campaign_id, source, error_code, error_name, category, retryable, advice, occurrences
)
select date, message_campaign_id, source, error_code, error_name, category, retryable, advice, occurrences
from mart_rows
