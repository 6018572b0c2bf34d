-- Ad accounts: currency and time zone, for every mart that needs them.
select ad_account_id, currency, timezone_name
from raw.ad_accounts
