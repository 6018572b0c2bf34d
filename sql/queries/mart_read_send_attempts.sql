-- Send attempts at or after ? (UTC timestamp), with only what the funnel needs.
select timezone('UTC', ts) as ts, message_campaign_id, subscription_token, success, tracking_id, rowid as raw_rowid
from raw.send_attempts
where ts >= ?
