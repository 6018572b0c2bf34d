-- Latest ten webhook events, for the asset's metadata preview (no payloads, no tokens).
select event_type, page_id, message_campaign_id, tracking_id, event_ts, source_file, source_line
from raw.webhook_events
order by event_ts desc, event_key
limit 10
