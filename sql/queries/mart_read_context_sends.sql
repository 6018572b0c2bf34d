-- Accepted sends before $1 that events at or after $1 may be attributed to: the sends their tracking
-- ids name (when no send from $1 on carries the id), and the latest send of each (campaign, token)
-- an untracked event may join as-of.
with new_events as (
    select message_campaign_id, subscription_token, tracking_id
    from raw.webhook_events
    where event_ts >= $1 and event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
),
ids as (
    select distinct tracking_id from new_events where tracking_id is not null
    except
    select tracking_id from raw.send_attempts where ts >= $1 and tracking_id is not null
),
untracked_keys as (
    select distinct message_campaign_id, subscription_token
    from new_events
    where tracking_id is null and subscription_token is not null and message_campaign_id is not null
),
by_id as (
    select s.ts, s.message_campaign_id, s.subscription_token, s.success, s.tracking_id, s.rowid as raw_rowid
    from raw.send_attempts as s
    semi join ids using (tracking_id)
    where s.success and s.ts < $1
),
by_key as (
    select s.ts, s.message_campaign_id, s.subscription_token, s.success, s.tracking_id, s.rowid as raw_rowid
    from raw.send_attempts as s
    semi join untracked_keys using (message_campaign_id, subscription_token)
    where s.success and s.ts < $1
    qualify s.ts = max(s.ts) over (partition by s.message_campaign_id, s.subscription_token)
)
select timezone('UTC', ts) as ts, message_campaign_id, subscription_token, success, tracking_id, raw_rowid
from (select * from by_id union select * from by_key)
