-- Conversion rows with a negative count or value (must be none).
select message_campaign_id, date, action_type, attribution_window, conversions, conversion_value,
       count(*) over () as violations
from marts.conversions_daily
where conversions < 0 or conversion_value < 0
limit 10
