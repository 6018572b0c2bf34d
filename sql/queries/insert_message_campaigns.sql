-- Inserts the message-campaign snapshot from the registered frame `campaigns_frame` (text columns).
insert into raw.message_campaigns (
    message_campaign_id, ad_account_id, campaign_name, page_id, status, daily_budget, lifetime_budget,
    start_time, end_time, pixel_id, adset_id, ad_id
)
select message_campaign_id, ad_account_id, campaign_name, page_id, status,
       cast(daily_budget as decimal(18, 4)), cast(lifetime_budget as decimal(18, 4)),
       cast(start_time as timestamptz), cast(end_time as timestamptz), pixel_id, adset_id, ad_id
from campaigns_frame;
