-- Rows in raw.webhook_events (the asset's row count).
select count(*) from raw.webhook_events
