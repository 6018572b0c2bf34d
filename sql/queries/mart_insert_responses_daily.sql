-- Inserts responses rows from the registered frame `mart_rows`.
insert into marts.responses_daily (page_id, message_campaign_id, date, kind, title, payload, responses, attributed)
select page_id, message_campaign_id, date, kind, title, payload, responses, attributed
from mart_rows
