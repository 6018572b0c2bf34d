-- Lake mode: the ad accounts' rows of raw.delivery_estimates, to replace their rows in the lake's table.
select * from raw.delivery_estimates where list_contains($accounts, ad_account_id);
