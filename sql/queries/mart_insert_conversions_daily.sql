-- Inserts pixel conversion rows from the registered frame `mart_rows`.
insert into marts.conversions_daily (
    ad_account_id, message_campaign_id, date, action_type, attribution_window, conversions, conversion_value
)
select ad_account_id, message_campaign_id, date, action_type, attribution_window, conversions, conversion_value
from mart_rows
