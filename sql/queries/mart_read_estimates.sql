-- Raw delivery estimate snapshots, all of them (one row per account and day: small).
select ad_account_id, snapshot_date, page_id, daily_budget, estimate_delivery_lower_bound,
       estimate_delivery_upper_bound, estimate_cost_lower_bound, estimate_cost_upper_bound
from raw.delivery_estimates
