-- Lake mode: the ad accounts' rows of marts.delivery_estimates, to replace their rows in the lake's table.
select * from marts.delivery_estimates where list_contains($accounts, ad_account_id);
