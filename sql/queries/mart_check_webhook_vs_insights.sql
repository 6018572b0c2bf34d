-- Campaign-days (account-local) where insights delivered is outside [webhook x ?, webhook x ?] of the
-- webhook deliveries: insights exclude recipients in some regions (Europe, Japan), so they may be lower.
-- Only local days fully inside the span of the webhook exports are compared (edges are partial).
with span as (
    select min(event_ts) as first_ts, max(event_ts) as last_ts from raw.webhook_events
),
hooks as (
    select e.message_campaign_id, cast(timezone(a.timezone_name, e.event_ts) as date) as date,
           count(*) as webhook_delivered
    from raw.webhook_events as e
    join raw.message_campaigns as c using (message_campaign_id)
    join raw.ad_accounts as a on a.ad_account_id = c.ad_account_id
    where e.event_type = 'delivery'
    group by 1, 2
)
select m.message_campaign_id, m.date, m.delivered as insights_delivered, h.webhook_delivered,
       count(*) over () as violations
from marts.campaign_daily as m
join hooks as h using (message_campaign_id, date)
join raw.ad_accounts as a on a.ad_account_id = m.ad_account_id
cross join span
where timezone(a.timezone_name, span.first_ts) <= m.date
  and timezone(a.timezone_name, span.last_ts) >= m.date + 1
  and (m.delivered < h.webhook_delivered * ? - 2 or m.delivered > h.webhook_delivered * ? + 2)
order by abs(m.delivered - h.webhook_delivered) desc
limit 10
