-- Land one batch of parsed Send API attempts from the registered data frame `batch`: the batch holds each attempt_key
-- once (its first occurrence), and attempts already in the table (a line logged twice) are skipped.
insert into raw.send_attempts (
    attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, http_status, success, tracking_id,
    error_code, error_subcode, error_name, error_type, error_message, is_transient, remaining_seconds, source_file,
    source_line
)
select
    b.attempt_key, b.ts, b.ad_account_id, b.message_campaign_id, b.subscription_token, b.http_status, b.success,
    b.tracking_id, b.error_code, b.error_subcode, b.error_name, b.error_type, b.error_message, b.is_transient,
    b.remaining_seconds, b.source_file, b.source_line
from batch as b
where not exists (select 1 from raw.send_attempts as s where s.attempt_key = b.attempt_key)
