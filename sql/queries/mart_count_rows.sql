-- Row count of the mart named $1 (matched against a fixed list, never interpolated into SQL).
select sum(n) from (
    select count(*) as n from marts.campaign_daily where $1 = 'campaign_daily'
    union all select count(*) from marts.conversions_daily where $1 = 'conversions_daily'
    union all select count(*) from marts.delivery_funnel_daily where $1 = 'delivery_funnel_daily'
    union all select count(*) from marts.error_codes_daily where $1 = 'error_codes_daily'
    union all select count(*) from marts.delivery_estimates where $1 = 'delivery_estimates'
    union all select count(*) from marts.responses_daily where $1 = 'responses_daily'
)
