-- Inserts delivery-estimate snapshots from the registered frame `estimates_frame` (text columns).
insert into raw.delivery_estimates (
    ad_account_id, snapshot_date, page_id, daily_budget, estimate_delivery_lower_bound,
    estimate_delivery_upper_bound, estimate_cost_lower_bound, estimate_cost_upper_bound
)
select ad_account_id, cast(snapshot_date as date), page_id, cast(daily_budget as decimal(18, 4)),
       cast(estimate_delivery_lower_bound as bigint), cast(estimate_delivery_upper_bound as bigint),
       cast(estimate_cost_lower_bound as decimal(18, 4)), cast(estimate_cost_upper_bound as decimal(18, 4))
from estimates_frame;
