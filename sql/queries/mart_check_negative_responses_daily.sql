-- Responses rows with fewer than one tap, or whose attributed flag disagrees with the campaign (must be none).
select page_id, message_campaign_id, date, kind, title, payload, responses, attributed, count(*) over () as violations
from marts.responses_daily
where responses < 1 or attributed <> (message_campaign_id is not null)
limit 10
