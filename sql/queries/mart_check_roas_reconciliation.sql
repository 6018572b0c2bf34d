-- Campaign-days where our roas and Meta's api_roas differ by more than ? (relative) and more than
-- ? (absolute: Meta may round ROAS to 2 decimals). Only days where both exist are compared.
select message_campaign_id, date, spend, purchase_value, roas, api_roas, count(*) over () as violations
from marts.campaign_daily
where roas is not null and api_roas is not null
  and abs(roas - api_roas) > greatest(? * abs(api_roas), ?)
order by abs(roas - api_roas) desc
limit 10
