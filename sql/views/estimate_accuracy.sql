-- How well each delivery estimate predicted its day (account-local): actual delivered and spend
-- against the estimate's bounds and midpoints. Only estimates whose day already has insights.
create or replace view estimate_accuracy as
select
    ad_account_id,
    snapshot_date,
    currency,
    estimate_delivery_lower_bound,
    estimate_delivery_upper_bound,
    actual_delivered,
    delivered_within_estimate,
    cast(100 * (actual_delivered - (estimate_delivery_lower_bound + estimate_delivery_upper_bound) / 2)
         / nullif((estimate_delivery_lower_bound + estimate_delivery_upper_bound) / 2, 0) as decimal(18, 6))
        as delivered_error_pct,
    estimate_cost_lower_bound,
    estimate_cost_upper_bound,
    actual_spend,
    spend_within_estimate,
    cast(100 * (actual_spend - (estimate_cost_lower_bound + estimate_cost_upper_bound) / 2)
         / nullif((estimate_cost_lower_bound + estimate_cost_upper_bound) / 2, 0) as decimal(18, 6))
        as spend_error_pct
from marts.delivery_estimates
where actual_days > 0;
