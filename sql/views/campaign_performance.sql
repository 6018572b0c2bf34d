-- Campaign performance with ratios recomputed from sums (never averaged): `campaign_performance`
-- over each campaign's whole history, and the table macro `campaign_performance_between(since, until)`
-- for any range of account-local dates. Currencies are never mixed: one row per campaign (one currency).
create or replace macro campaign_performance_between(since, until) as table
select
    ad_account_id,
    message_campaign_id,
    any_value(campaign_name) as campaign_name,
    any_value(currency) as currency,
    min(date) as first_date,
    max(date) as last_date,
    count(*) as days,
    sum(spend) as spend,
    sum(delivered) as delivered,
    sum(reads) as reads,
    sum(link_clicks) as link_clicks,
    sum(purchases) as purchases,
    sum(purchase_value) as purchase_value,
    cast(sum(purchase_value) / nullif(sum(spend), 0) as decimal(18, 6)) as roas,
    -- Meta's daily ROAS weighted by spend equals Meta's ROAS over the range (for reconciliation).
    -- Meta omits website_purchase_roas on days without purchases: those days count as 0, and
    -- their spend stays in the denominator; a campaign Meta never reports ROAS for stays NULL.
    case when count(api_roas) > 0 then cast(sum(api_roas * spend) / nullif(sum(spend), 0) as decimal(18, 6)) end as api_roas,
    cast(100 * sum(reads) / nullif(sum(delivered) filter (where reads is not null), 0) as decimal(18, 6)) as read_rate,
    cast(100 * sum(link_clicks) / nullif(sum(delivered), 0) as decimal(18, 6)) as link_click_rate,
    cast(sum(spend) / nullif(sum(delivered), 0) as decimal(18, 6)) as cost_per_delivered,
    cast(sum(spend) / nullif(sum(link_clicks), 0) as decimal(18, 6)) as cost_per_link_click
from marts.campaign_daily
where date between since and until
group by ad_account_id, message_campaign_id;

create or replace view campaign_performance as
select * from campaign_performance_between(date '1970-01-01', date '9999-12-31');
