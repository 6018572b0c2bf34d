-- Inserts campaign-day rows from the registered frame `mart_rows`.
insert into marts.campaign_daily (
    ad_account_id, message_campaign_id, campaign_name, page_id, date, currency, spend, delivered, reads, link_clicks,
    read_rate, delivery_rate, purchases, purchase_value, roas, api_roas
)
select ad_account_id, message_campaign_id, campaign_name, page_id, date, currency, spend, delivered, reads, link_clicks,
       read_rate, delivery_rate, purchases, purchase_value, roas, api_roas
from mart_rows
