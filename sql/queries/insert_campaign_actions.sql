-- Inserts daily pixel actions (type x attribution window) from the registered frame `actions_frame`.
insert into raw.campaign_actions_daily (
    ad_account_id, message_campaign_id, date, action_type, attribution_window, conversions, conversion_value
)
select ad_account_id, message_campaign_id, cast(date as date), action_type, attribution_window,
       cast(conversions as decimal(18, 4)), cast(conversion_value as decimal(18, 4))
from actions_frame;
