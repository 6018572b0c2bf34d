-- Funnel rows with a negative count (must be none).
select page_id, message_campaign_id, date, count(*) over () as violations
from marts.delivery_funnel_daily
where least(attempted, accepted, rejected, sent, delivered, read, clicked, failed, unattributed_events) < 0
limit 10
