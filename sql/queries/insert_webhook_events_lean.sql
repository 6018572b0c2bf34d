-- Land one batch of lean webhook events (plain marketing-message items, parsed by the lean lane) from the registered
-- data frame `batch`: their columns are read out of the sorted-key payload here, exactly as the parser's full lane
-- would: ids as text ('' -> NULL, recipient '0' -> NULL), the Page from the payload or else the entry. The batch holds
-- each event_key once; events already in the table (redeliveries) are skipped.
insert into raw.webhook_events (
    event_key, event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid,
    app_id, business_id, event_ts, error_message, payload, source_file, source_line
)
select
    b.event_key,
    b.event_type,
    case when b.j[1] is null then b.entry_page else nullif(b.j[1], '') end,
    nullif(b.j[2], ''),
    nullif(nullif(b.j[3], ''), '0'),
    nullif(b.j[4], ''),
    nullif(b.j[5], ''),
    nullif(b.j[6], ''),
    nullif(b.j[7], ''),
    nullif(b.j[8], ''),
    b.event_ts,
    b.j[9],
    b.payload::json,
    b.source_file,
    b.source_line
from (
    select *, json_extract_string(payload, ['$.page_id', '$.message_id', '$.recipient_id',
        '$.messenger_subscription_token', '$.marketing_message_tracking_id', '$.mid', '$.app_id', '$.business_id',
        '$.error_message']) as j
    from batch
) as b
where not exists (select 1 from raw.webhook_events as w where w.event_key = b.event_key)
