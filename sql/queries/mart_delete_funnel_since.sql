-- Deletes marts.delivery_funnel_daily rows dated on or after ? (UTC) before re-insert.
delete from marts.delivery_funnel_daily where date >= ?
