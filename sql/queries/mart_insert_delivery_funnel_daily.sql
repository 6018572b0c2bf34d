-- Inserts funnel rows from the registered frame `mart_rows`.
insert into marts.delivery_funnel_daily (
    page_id, message_campaign_id, date, attempted, accepted, rejected, sent, delivered, read, clicked, failed,
    unattributed_events
)
select page_id, message_campaign_id, date, attempted, accepted, rejected, sent, delivered, read, clicked, failed,
       unattributed_events
from mart_rows
