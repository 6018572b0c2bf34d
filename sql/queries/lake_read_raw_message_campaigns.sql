-- Lake mode: the ad accounts' rows of raw.message_campaigns, to replace their rows in the lake's table.
select * from raw.message_campaigns where list_contains($accounts, ad_account_id);
