-- Accepted sends before ? that events at or after ? may be attributed to: the sends their tracking
-- ids name, and the latest send of each (campaign, token) an untracked event may join as-of.
with new_events as (
    select message_campaign_id, subscription_token, tracking_id
    from raw.webhook_events
    where event_ts >= $1 and event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
),
untracked_keys as (
    select distinct message_campaign_id, subscription_token
    from new_events
    where tracking_id is null and subscription_token is not null
),
latest as (
    select s.message_campaign_id, s.subscription_token, max(s.ts) as ts
    from raw.send_attempts as s
    join untracked_keys as k using (message_campaign_id, subscription_token)
    where s.success and s.ts < $1
    group by all
)
select timezone('UTC', s.ts) as ts, s.message_campaign_id, s.subscription_token, s.success, s.tracking_id,
       s.error_code, s.error_subcode, s.error_message
from raw.send_attempts as s
where s.success and s.ts < $1
  and (
      s.tracking_id in (select tracking_id from new_events where tracking_id is not null)
      or exists (
          select 1 from latest as l
          where l.message_campaign_id = s.message_campaign_id
            and l.subscription_token = s.subscription_token
            and l.ts = s.ts
      )
  )
