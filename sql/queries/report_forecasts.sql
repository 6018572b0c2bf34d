-- The report's estimates vs actuals: marts.delivery_estimates for the window [?, ?] (account-local snapshot dates, inclusive).
select *
from marts.delivery_estimates
where snapshot_date between ? and ?
