-- Raw daily pixel actions for the mart window [?, ?] (account-local dates, inclusive).
select ad_account_id, message_campaign_id, date, action_type, attribution_window, conversions, conversion_value
from raw.campaign_actions_daily
where date between ? and ?
