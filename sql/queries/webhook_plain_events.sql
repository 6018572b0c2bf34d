-- Plain webhook export lines -> typed events, in DuckDB's engine (pipelines/webhooks/sql_path.py).
-- Input: the registered table `lines(line_no, line)` (lines short enough to read). Output: one row per
-- `entry[].changes[]` item of the candidate lines, `plain` telling whether the Python parser's lean lane would take it
-- with exactly these columns (ids as exact text, recipient '0' -> NULL, payload with sorted keys, timestamp in seconds
-- or milliseconds). The caller keeps the lines whose every item is plain, hashes the event key and sends every other
-- line to the Python parser. A candidate line is one nothing in which DuckDB's JSON reader and orjson could read
-- differently: no escapes or \r, no trailing commas or NaN/Infinity, and no repeated envelope keys (the key names are
-- counted in the text: 19 bytes of "entry"-level names per entry, 14 of "field"/"value" per item, no "messaging").
-- Values may hold only the keys listed below (in sorted order, as the payload needs them), each a string or integer.
with docs as (
    select line_no, entries, array_to_string(regexp_extract_all(line,
            '"(?:entry|changes|id|time|field|value|messaging)"|,\s*[\]}]|[:,\[]\s*[-+]?(?i:nan|inf)'), '') as names
    from (
        select line_no, line, json_transform(line,
            '{"entry":[{"id":"JSON","time":"JSON","changes":[{"field":"VARCHAR","value":"JSON"}]}]}').entry as entries
        from lines
        where not contains(line, '\') and not contains(line, chr(13)) and json_valid(line)
    )
    where len(entries) > 0
        and list_bool_and(list_transform(entries, lambda e: e.changes is not null
            and coalesce(regexp_full_match(e.id::varchar, '"[^"]*"|-?[0-9]{1,19}'), false) and e.time is not null))
),
plain_docs as (
    select line_no, entries, generate_subscripts(entries, 1) as entry_no, unnest(entries) as e
    from docs
    where not regexp_matches(names, '[,:\[]')
        and strlen(names) = 7 + 19 * len(entries) + 14 * list_sum(list_transform(entries, lambda e: len(e.changes)))
),
items as (
    select line_no, entry_no, generate_subscripts(e.changes, 1) as item_no, e.id::varchar as entry_page,
        e.time::varchar as entry_time, unnest(e.changes) as c
    from plain_docs
),
parsed as (
    select line_no, entry_no, item_no, entry_page, entry_time, c.value::varchar as v,
        case c.field
            when 'marketing_message_echoes' then 'echo'
            when 'marketing_message_deliveries' then 'delivery'
            when 'marketing_message_reads' then 'read'
            when 'marketing_message_clicks' then 'click'
            when 'marketing_message_delivery_failed' then 'delivery_failed'
            when 'marketing_messages_subscriber_upload_status' then 'subscriber_upload_status'
        end as event_type,
        json_transform(c.value, '{"ad_account_id":"JSON","app_id":"JSON","approximate_count_lower_bound":"JSON",
            "approximate_count_upper_bound":"JSON","batch_uploading_status":"JSON","business_id":"JSON",
            "custom_audience_id":"JSON","error_message":"JSON","marketing_message_tracking_id":"JSON",
            "message_id":"JSON","messenger_subscription_token":"JSON","mid":"JSON","num_rows":"JSON","page_id":"JSON",
            "recipient_id":"JSON","timestamp":"JSON"}') as s,
        len(json_keys(c.value)) as n_keys,
        list_has_all(['VARCHAR', 'BIGINT', 'UBIGINT'], json_type(c.value, '$.*')) as scalars
    from items
),
typed as (
    select *,
        case when s.timestamp is not null then try_cast(s.timestamp::varchar as bigint)
             when regexp_full_match(entry_time, '-?[0-9]{1,19}') then try_cast(entry_time as bigint) end as ts,
        (s.ad_account_id is not null)::int + (s.app_id is not null)::int
            + (s.approximate_count_lower_bound is not null)::int + (s.approximate_count_upper_bound is not null)::int
            + (s.batch_uploading_status is not null)::int + (s.business_id is not null)::int
            + (s.custom_audience_id is not null)::int + (s.error_message is not null)::int
            + (s.marketing_message_tracking_id is not null)::int + (s.message_id is not null)::int
            + (s.messenger_subscription_token is not null)::int + (s.mid is not null)::int
            + (s.num_rows is not null)::int + (s.page_id is not null)::int + (s.recipient_id is not null)::int
            + (s.timestamp is not null)::int as n_known
    from parsed
)
select
    line_no, entry_no, item_no, event_type,
    coalesce(starts_with(v, '{') and event_type is not null and n_keys = n_known and scalars
        and ts between 0 and 253402300799000, false) as plain,
    case when s.page_id is null then nullif(case when starts_with(entry_page, '"') then entry_page[2:-2]
                                                 else entry_page end, '')
         else nullif(s.page_id::varchar.trim('"'), '') end as page_id,
    nullif(s.message_id::varchar.trim('"'), '') as message_campaign_id,
    nullif(nullif(s.recipient_id::varchar.trim('"'), ''), '0') as recipient_id,
    nullif(s.messenger_subscription_token::varchar.trim('"'), '') as subscription_token,
    nullif(s.marketing_message_tracking_id::varchar.trim('"'), '') as tracking_id,
    nullif(s.mid::varchar.trim('"'), '') as mid,
    nullif(s.app_id::varchar.trim('"'), '') as app_id,
    nullif(s.business_id::varchar.trim('"'), '') as business_id,
    make_timestamptz(case when ts <= 253402300799 then ts * 1000000 else ts * 1000 end) as event_ts,
    s.error_message::varchar.trim('"') as error_message,
    '{' || concat_ws(',',
        '"ad_account_id":' || s.ad_account_id::varchar,
        '"app_id":' || s.app_id::varchar,
        '"approximate_count_lower_bound":' || s.approximate_count_lower_bound::varchar,
        '"approximate_count_upper_bound":' || s.approximate_count_upper_bound::varchar,
        '"batch_uploading_status":' || s.batch_uploading_status::varchar,
        '"business_id":' || s.business_id::varchar,
        '"custom_audience_id":' || s.custom_audience_id::varchar,
        '"error_message":' || s.error_message::varchar,
        '"marketing_message_tracking_id":' || s.marketing_message_tracking_id::varchar,
        '"message_id":' || s.message_id::varchar,
        '"messenger_subscription_token":' || s.messenger_subscription_token::varchar,
        '"mid":' || s.mid::varchar,
        '"num_rows":' || s.num_rows::varchar,
        '"page_id":' || s.page_id::varchar,
        '"recipient_id":' || s.recipient_id::varchar,
        '"timestamp":' || s.timestamp::varchar) || '}' as payload
from typed
