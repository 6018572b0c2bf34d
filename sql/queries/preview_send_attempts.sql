-- Latest ten Send API attempts, for the asset's metadata preview (no subscription tokens).
select ts, ad_account_id, message_campaign_id, success, tracking_id, error_code, error_subcode, error_name, source_file
from raw.send_attempts
order by ts desc, attempt_key
limit 10
