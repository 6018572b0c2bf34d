-- The ad-account snapshot as landed, every column, for steps that reuse the account nodes of their run.
select ad_account_id, account_name, currency, currency_offset, timezone_name, account_status
from raw.ad_accounts
order by ad_account_id;
