-- Send attempts at or after ? (UTC timestamp), with what the funnel and the error mart need.
select timezone('UTC', ts) as ts, message_campaign_id, subscription_token, success, tracking_id, error_code,
       error_subcode, error_message
from raw.send_attempts
where ts >= ?
