-- Estimate rows with a negative bound or actual (must be none).
select ad_account_id, snapshot_date, count(*) over () as violations
from marts.delivery_estimates
where least(estimate_delivery_lower_bound, estimate_delivery_upper_bound, actual_delivered) < 0
   or least(estimate_cost_lower_bound, estimate_cost_upper_bound, actual_spend) < 0
limit 10
