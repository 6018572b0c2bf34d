-- Weekly ROAS per ad account and campaign (weeks start on Monday, account-local dates): ratio of
-- the week's sums, beside Meta's ROAS weighted by spend. Re-aggregate with sum(purchase_value) / sum(spend).
create or replace view weekly_roas as
select
    ad_account_id,
    message_campaign_id,
    any_value(campaign_name) as campaign_name,
    any_value(currency) as currency,
    cast(date_trunc('week', date) as date) as week_start,
    sum(spend) as spend,
    sum(purchases) as purchases,
    sum(purchase_value) as purchase_value,
    cast(sum(purchase_value) / nullif(sum(spend), 0) as decimal(18, 6)) as roas,
    case when count(api_roas) > 0 then cast(sum(api_roas * spend) / nullif(sum(spend), 0) as decimal(18, 6)) end as api_roas
from marts.campaign_daily
group by ad_account_id, message_campaign_id, date_trunc('week', date);
