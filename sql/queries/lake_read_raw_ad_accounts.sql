-- Lake mode: the ad accounts' rows of raw.ad_accounts, to replace their rows in the lake's table.
select * from raw.ad_accounts where list_contains($accounts, ad_account_id);
