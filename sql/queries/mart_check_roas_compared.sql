-- How many campaign-days have both our roas and Meta's api_roas (the reconciliation's sample size).
select count(*) from marts.campaign_daily where roas is not null and api_roas is not null
