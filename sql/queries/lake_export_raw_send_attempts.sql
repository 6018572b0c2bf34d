-- Lake mode: one export file's rows of raw.send_attempts, to replace that file's rows in the lake's table.
select attempt_key, ts, ad_account_id, message_campaign_id, subscription_token, http_status, success, tracking_id,
    error_code, error_subcode, error_type, error_message, is_transient, remaining_seconds, source_file, source_line,
    error_name
from raw.send_attempts
where source_file = $file
