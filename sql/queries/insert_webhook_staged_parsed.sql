-- Stage the events the Python parser read from the lines the SQL lane left (the registered data frame `batch`).
insert into webhook_staged
select event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid,
    app_id, business_id, epoch_us(event_ts), error_message, payload::json, source_file, $file_order, source_line,
    ordinal, true
from batch
