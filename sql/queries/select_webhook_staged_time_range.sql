-- The time range of the staged webhook events (µs since the epoch), which bounds where their redeliveries can be.
select min(event_ts_us), max(event_ts_us) from webhook_staged
