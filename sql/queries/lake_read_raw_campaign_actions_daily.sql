-- Lake mode: the ad accounts' rows of raw.campaign_actions_daily in [since, until], to replace that window in the lake.
select * from raw.campaign_actions_daily where list_contains($accounts, ad_account_id) and date between $since and $until;
