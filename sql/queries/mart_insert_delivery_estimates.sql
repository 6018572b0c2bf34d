-- Inserts estimate-versus-actual rows from the registered frame `mart_rows`.
insert into marts.delivery_estimates (
    ad_account_id, snapshot_date, page_id, currency, daily_budget, estimate_delivery_lower_bound,
    estimate_delivery_upper_bound, estimate_cost_lower_bound, estimate_cost_upper_bound, actual_days,
    actual_delivered, actual_spend, delivered_within_estimate, spend_within_estimate
)
select ad_account_id, snapshot_date, page_id, currency, daily_budget, estimate_delivery_lower_bound,
       estimate_delivery_upper_bound, estimate_cost_lower_bound, estimate_cost_upper_bound, actual_days,
       actual_delivered, actual_spend, delivered_within_estimate, spend_within_estimate
from mart_rows
