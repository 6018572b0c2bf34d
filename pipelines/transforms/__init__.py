"""Pure polars transforms behind the marts: frames in, frames out, no DuckDB and no Dagster.

- `campaign_daily`: `marts.campaign_daily` and `marts.conversions_daily` (insights + actions)
- `funnel`: `marts.delivery_funnel_daily` (send attempts + webhook events)
- `error_codes`: the error-code catalogue and `marts.error_codes_daily`
- `estimates`: `marts.delivery_estimates` (estimate snapshots beside what followed)
"""
