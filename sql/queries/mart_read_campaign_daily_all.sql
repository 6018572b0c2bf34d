-- The campaign-day mart, all of it (estimates compare against it).
select ad_account_id, message_campaign_id, date, delivered, spend
from marts.campaign_daily
