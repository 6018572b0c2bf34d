-- The message-campaign ids of each ad account as landed, for steps that reuse the campaign lists of their run.
select ad_account_id, message_campaign_id
from raw.message_campaigns
order by ad_account_id, message_campaign_id;
