-- Lake mode's mart build: raw.send_attempts in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, each attempt once, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.send_attempts (
    attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, http_status, success, tracking_id,
    error_code, error_subcode, error_type, error_message, is_transient, remaining_seconds, source_file,
    source_line, error_name
)
select attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, http_status, success, tracking_id,
    error_code, error_subcode, error_type, error_message, is_transient, remaining_seconds, source_file, source_line,
    error_name
from lake_rows
