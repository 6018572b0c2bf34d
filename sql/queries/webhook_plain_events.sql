-- Plain webhook export lines -> typed events, in DuckDB's engine (pipelines/webhooks/sql_path.py).
-- Input: the registered table `lines(line_no, line)` (lines short enough to read). Output: one row per
-- `entry[].changes[]` item of the lines without escapes, with `plain` (the Python parser's lean lane would take the
-- item: a marketing-message field, a value of strings and integers, an integer timestamp in seconds or milliseconds)
-- and `item_len`. The caller keeps a line only when all its items are plain and their `item_len` add up to the line's
-- length: the line is then exactly the envelope, ids, fields and values read here, in compact form, so nothing in it
-- was skipped (unknown or repeated keys, whitespace, trailing commas, NaN) that orjson could read differently; it
-- hashes the event key and sends every other line to the Python parser. Columns are the parser's: ids as exact text
-- ('' -> NULL, recipient '0' -> NULL, the Page from the value or else the entry), payload with sorted keys. The value
-- keys below are the ones Meta documents, in sorted order (a value with any other key is not plain).
with checked as (
    select line_no, line, json_valid(line) as valid from lines where not contains(line, '\')
),
docs as (
    select line_no, strlen(line) as line_len,
        case when valid then json_transform(line, '{"object":"JSON","entry":[{"id":"JSON","time":"JSON",
            "changes":[{"field":"VARCHAR","value":{"ad_account_id":"JSON","app_id":"JSON",
            "approximate_count_lower_bound":"JSON","approximate_count_upper_bound":"JSON",
            "batch_uploading_status":"JSON","business_id":"JSON","custom_audience_id":"JSON","error_message":"JSON",
            "marketing_message_tracking_id":"JSON","message_id":"JSON","messenger_subscription_token":"JSON",
            "mid":"JSON","num_rows":"JSON","page_id":"JSON","recipient_id":"JSON","timestamp":"JSON"}}]}]}') end as doc,
        case when valid then
            list_has_all(['VARCHAR', 'BIGINT', 'UBIGINT'], json_type(line, '$.entry[*].changes[*].value.*'))
        end as scalars
    from checked
),
entries as (
    select line_no, line_len, scalars, doc.object::varchar as object, len(doc.entry) as n_entries,
        generate_subscripts(doc.entry, 1) as entry_no, unnest(doc.entry) as e
    from docs
    where scalars and len(doc.entry) > 0 and (doc.object is null or starts_with(doc.object::varchar, '"'))
),
items as (
    select line_no, line_len, object, n_entries, entry_no, e.id::varchar as entry_page, e.time::varchar as entry_time,
        len(e.changes) as n_items, generate_subscripts(e.changes, 1) as item_no, unnest(e.changes) as c
    from entries
),
parsed as (
    select line_no, line_len, object, n_entries, entry_no, entry_page, entry_time, n_items, item_no, c.field,
        c.value as s,
        case c.field
            when 'marketing_message_echoes' then 'echo'
            when 'marketing_message_deliveries' then 'delivery'
            when 'marketing_message_reads' then 'read'
            when 'marketing_message_clicks' then 'click'
            when 'marketing_message_delivery_failed' then 'delivery_failed'
            when 'marketing_messages_subscriber_upload_status' then 'subscriber_upload_status'
        end as event_type,
        case when c.value.timestamp is not null then try_cast(c.value.timestamp::varchar as bigint)
             when regexp_full_match(e_time, '-?[0-9]{1,19}') then try_cast(e_time as bigint) end as ts,
        '{' || concat_ws(',',
            '"ad_account_id":' || c.value.ad_account_id::varchar,
            '"app_id":' || c.value.app_id::varchar,
            '"approximate_count_lower_bound":' || c.value.approximate_count_lower_bound::varchar,
            '"approximate_count_upper_bound":' || c.value.approximate_count_upper_bound::varchar,
            '"batch_uploading_status":' || c.value.batch_uploading_status::varchar,
            '"business_id":' || c.value.business_id::varchar,
            '"custom_audience_id":' || c.value.custom_audience_id::varchar,
            '"error_message":' || c.value.error_message::varchar,
            '"marketing_message_tracking_id":' || c.value.marketing_message_tracking_id::varchar,
            '"message_id":' || c.value.message_id::varchar,
            '"messenger_subscription_token":' || c.value.messenger_subscription_token::varchar,
            '"mid":' || c.value.mid::varchar,
            '"num_rows":' || c.value.num_rows::varchar,
            '"page_id":' || c.value.page_id::varchar,
            '"recipient_id":' || c.value.recipient_id::varchar,
            '"timestamp":' || c.value.timestamp::varchar) || '}' as payload
    from (select *, entry_time as e_time from items)
)
select
    line_no, line_len, entry_no, item_no, event_type,
    -- A value that is not an object reads as no keys at all: '{}' values are left to the parser.
    -- Entry ids and times must be strings or 64-bit integers (their text is then as long as in the line).
    coalesce(event_type is not null and ts between 0 and 253402300799000 and payload <> '{}'
        and regexp_full_match(entry_page, '"[^"]*"|-?[0-9]{1,19}')
        and regexp_full_match(entry_time, '"[^"]*"|-?[0-9]{1,19}'), false) as plain,
    -- Bytes of the line this item accounts for: the item, its entry's envelope once, the line's envelope once.
    21 + strlen(field) + strlen(payload)
        + case when item_no = 1 then 27 + strlen(entry_page) + strlen(entry_time) + n_items else 0 end
        + case when entry_no = 1 and item_no = 1 then 11 + n_entries + coalesce(10 + strlen(object), 0) else 0 end
        as item_len,
    case when s.page_id is null then nullif(entry_page.trim('"'), '') else nullif(s.page_id::varchar.trim('"'), '') end
        as page_id,
    nullif(s.message_id::varchar.trim('"'), '') as message_campaign_id,
    nullif(nullif(s.recipient_id::varchar.trim('"'), ''), '0') as recipient_id,
    nullif(s.messenger_subscription_token::varchar.trim('"'), '') as subscription_token,
    nullif(s.marketing_message_tracking_id::varchar.trim('"'), '') as tracking_id,
    nullif(s.mid::varchar.trim('"'), '') as mid,
    nullif(s.app_id::varchar.trim('"'), '') as app_id,
    nullif(s.business_id::varchar.trim('"'), '') as business_id,
    make_timestamptz(case when ts <= 253402300799 then ts * 1000000 else ts * 1000 end) as event_ts,
    s.error_message::varchar.trim('"') as error_message,
    payload
from parsed
