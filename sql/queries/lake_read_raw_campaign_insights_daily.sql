-- Lake mode: the ad accounts' rows of raw.campaign_insights_daily in [since, until], to replace that window in the lake.
select * from raw.campaign_insights_daily where list_contains($accounts, ad_account_id) and date between $since and $until;
