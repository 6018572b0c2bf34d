-- Campaign-days with a negative spend, delivery, click or purchase figure (must be none).
select message_campaign_id, date, spend, delivered, link_clicks, purchases, purchase_value, count(*) over () as violations
from marts.campaign_daily
where spend < 0 or delivered < 0 or link_clicks < 0 or reads < 0 or purchases < 0 or purchase_value < 0
limit 10
