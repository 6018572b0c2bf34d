-- Inserts the ad-account snapshot from the registered frame `ad_accounts_frame` (text columns).
insert into raw.ad_accounts (ad_account_id, account_name, currency, currency_offset, timezone_name, account_status)
select ad_account_id, account_name, currency, cast(currency_offset as integer), timezone_name,
       cast(account_status as integer)
from ad_accounts_frame;
