-- Inserts daily campaign insights from the registered frame `insights_frame` (text columns).
insert into raw.campaign_insights_daily (
    ad_account_id, message_campaign_id, date, currency, spend, delivered, link_clicks, read_rate,
    delivery_rate, link_btn_click_rate, cost_per_link_btn_click, cost_per_delivered, website_purchase_roas
)
select ad_account_id, message_campaign_id, cast(date as date), currency, cast(spend as decimal(18, 4)),
       cast(delivered as bigint), cast(link_clicks as bigint), cast(read_rate as decimal(18, 6)),
       cast(delivery_rate as decimal(18, 6)), cast(link_btn_click_rate as decimal(18, 6)),
       cast(cost_per_link_btn_click as decimal(18, 6)), cast(cost_per_delivered as decimal(18, 6)),
       cast(website_purchase_roas as decimal(18, 6))
from insights_frame;
