-- Raw daily insights for the mart window [?, ?] (account-local dates, inclusive).
select ad_account_id, message_campaign_id, date, currency, spend, delivered, link_clicks, read_rate, delivery_rate,
       website_purchase_roas
from raw.campaign_insights_daily
where date between ? and ?
