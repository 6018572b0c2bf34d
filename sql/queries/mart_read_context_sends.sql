-- Accepted sends before $1 (UTC timestamp) whose tracking id is in the list $2 or whose subscription
-- token is in the list $3: the older sends a window's events may belong to. Lists of constants are
-- tested inside the scan, so only the few matching rows leave it (a join would hash every send).
select timezone('UTC', ts) as ts, message_campaign_id, subscription_token, success, tracking_id, rowid as raw_rowid
from raw.send_attempts
where success and ts < $1 and (list_contains($2, tracking_id) or list_contains($3, subscription_token))
