-- Webhook export lines -> typed events, in DuckDB's engine: the SQL lane of `pipelines/webhooks/sql_lane.py`.
-- Input: the registered table `webhook_lines(line, text)`, one row per line of a chunk of the file $source_file.
-- Output: rows appended to the temporary table `webhook_staged`, one per `entry[].changes[]` item of every line
-- DuckDB could read, with `plain` telling whether
-- this lane may land the item: a marketing-message delivery field (echo, delivery, read, click, delivery failed), a
-- value whose fields are strings, integers or null (ids and timestamp; nothing nested, no booleans, no fractions),
-- with an integer timestamp in seconds or milliseconds, no Messenger `sender`/`recipient` and no repeated `field`,
-- in an entry without `messaging` whose id is a string or an integer and whose `time`, if any, is a finite number.
-- A line lands here only when all its items are
-- plain (`select_webhook_parser_lines.sql` removes the others); every other line goes to the Python parser (`parse.py`), which lands
-- it or quarantines it with its reason.
-- DuckDB's JSON reader is more lenient than the standard: a line with a trailing comma is left to the parser, and a
-- value holding NaN, Infinity or an integer beyond 64 bits is not plain, so the lane does not land what orjson would
-- reject or read differently. A key repeated in the document, an entry, an item or a value (DuckDB reads its first
-- occurrence, orjson its last) leaves the line to the parser too. Caveats (lines no sender writes): outside the item
-- values and the entry's id and time, NaN, Infinity, numbers beyond a double's range and nesting deeper than 1024
-- levels are not noticed (orjson rejects such a line).
-- Columns are the parser's: ids as exact text ('' -> NULL, recipient '0' -> NULL, the Page from the value or else
-- the entry), the timestamp in microseconds, the payload as the value object (keys in their order), and the event
-- key exactly as `parse.event_key` computes it (md5 of the type, ids, timestamp and error message).
insert into webhook_staged
with parsed as (
    select line, text,
        case when strlen(text) <= $max_line_bytes
            -- A trailing comma (DuckDB reads past it, orjson does not): compact, or with whitespace before the bracket.
            and not regexp_matches(text, ',[ \t\r\n]*[\]}]')
        then try(json_transform(text, '{"object":"JSON","entry":[{"id":"JSON","time":"JSON",
            "changes":[{"field":"VARCHAR","value":"JSON"}],"messaging":"JSON"}]}'))
        end as doc
    from webhook_lines
),
docs as (
    -- A key repeated in the document, an entry or an item (DuckDB reads its first occurrence, orjson its last) leaves
    -- the line to the parser. The cheap test first: the text has exactly one colon per key read and those of the
    -- values (DuckDB's rendering keeps every key and every colon in a string). Any key more, repeated or not read
    -- here, fails it, and so does a `\u` anywhere (an escape could hide a colon); only a line that fails it has its
    -- keys listed. (CASE, not OR: DuckDB evaluates both sides of an OR for every row.)
    select line, doc,
        case when doc is null then false
            when not contains(text, '\u')
                and strlen(text) - strlen(replace(text, ':', '')) = (doc.object is not null)::int + 1
                    + list_sum(list_transform(doc.entry, lambda x: (x.id is not null)::int + (x."time" is not null)::int
                        + 1 + list_sum(list_transform(x.changes, lambda c: 2 + strlen(c.value)
                            - strlen(replace(c.value, ':', '')))))) then true
            else coalesce(try(list_bool_and(list_transform(
                list_concat([json_keys(text)], json_keys(text, '$.entry[*]'), json_keys(text, '$.entry[*].changes[*]')),
                lambda keys: len(keys) = len(list_distinct(keys))))), false)
        end as keys_once
    from parsed
),
entries as (
    -- Every entry must be an object holding items, no `messaging`, and an id that is a string or an integer; an
    -- entry that yields no item would otherwise go unnoticed.
    select line, generate_subscripts(doc.entry, 1) as entry_no, unnest(doc.entry) as e,
        keys_once and list_bool_and(list_transform(doc.entry, lambda x: coalesce(len(x.changes), 0) > 0 and x.messaging is null
            and (x.id is null or starts_with(x.id, '"') or ltrim(x.id, '-0123456789') = '')
            and (x."time" is null or isfinite(try_cast(x."time" as double))))) as entry_ok
    from docs
),
items as (
    select line, entry_no, entry_ok,
        case when starts_with(e.id, '"') then e.id ->> '$' else e.id::varchar end as entry_page,
        generate_subscripts(e.changes, 1) as item_no, unnest(e.changes) as c
    from entries
),
typed as (
    select line, (entry_no - 1) * 1000000 + item_no as ordinal, entry_ok, entry_page, c.value as payload,
        case c.field
            when 'marketing_message_echoes' then 'echo'
            when 'marketing_message_deliveries' then 'delivery'
            when 'marketing_message_reads' then 'read'
            when 'marketing_message_clicks' then 'click'
            when 'marketing_message_delivery_failed' then 'delivery_failed'
        end as event_type,
        json_transform(c.value, '{"page_id":"VARCHAR","message_id":"VARCHAR","recipient_id":"VARCHAR",
            "messenger_subscription_token":"VARCHAR","marketing_message_tracking_id":"VARCHAR","mid":"VARCHAR",
            "app_id":"VARCHAR","business_id":"VARCHAR","timestamp":"BIGINT","error_message":"VARCHAR"}') as v
    from items
),
events as (
select
    line,
    ordinal,
    coalesce(entry_ok and event_type is not null and starts_with(payload, '{')
        and v."timestamp" between 0 and 253402300799000
        -- The payload is DuckDB's compact rendering (quotes inside strings escaped), so `":` starts a real value: no
        -- boolean, object, array, fraction, no NaN or Infinity anywhere (DuckDB reads nan, inf and infinity in any
        -- case, with a minus sign or none), no integer orjson cannot hold in 64 bits, no `field` (the parser drops
        -- it from the payload), a timestamp that is not a string.
        and not regexp_matches(payload, '":(?:[tf{\[]|-?[0-9]+[.eE]|-?[NIi]|-n|n[^u]|[0-9]{20}|-[0-9]{19})'
            || '|"(?:field|sender|recipient)":|"timestamp":"')
        -- No key repeated in the value: it has as many keys (each `":` of the compact rendering; one in a string only
        -- adds) as fields were read from it, or else its keys are listed.
        and case when (strlen(payload) - strlen(replace(payload, '":', ''))) // 2 = (v.page_id is not null)::int
                + (v.message_id is not null)::int + (v.recipient_id is not null)::int
                + (v.messenger_subscription_token is not null)::int + (v.marketing_message_tracking_id is not null)::int
                + (v.mid is not null)::int + (v.app_id is not null)::int + (v.business_id is not null)::int
                + (v."timestamp" is not null)::int + (v.error_message is not null)::int then true
            else len(json_keys(payload)) = len(list_distinct(json_keys(payload))) end,
        false) as plain,
    event_type,
    case when v.page_id is null then nullif(entry_page, '') else nullif(v.page_id, '') end as page_id,
    nullif(v.message_id, '') as message_campaign_id,
    nullif(nullif(v.recipient_id, ''), '0') as recipient_id,
    nullif(v.messenger_subscription_token, '') as subscription_token,
    nullif(v.marketing_message_tracking_id, '') as tracking_id,
    nullif(v.mid, '') as mid,
    nullif(v.app_id, '') as app_id,
    nullif(v.business_id, '') as business_id,
    -- Seconds up to the end of year 9999, then milliseconds (`timestamps.MAX_SECONDS`, `MAX_MILLIS`); anything else is
    -- not plain, and is not multiplied (a nanosecond timestamp would overflow).
    case when v."timestamp" between 0 and 253402300799 then v."timestamp" * 1000000
        when v."timestamp" between 0 and 253402300799000 then v."timestamp" * 1000 end as event_ts_us,
    v.error_message,
    payload
from typed
)
select
    md5(concat(event_type, chr(31), page_id, chr(31), message_campaign_id, chr(31), recipient_id, chr(31),
        subscription_token, chr(31), tracking_id, chr(31), mid, chr(31), app_id, chr(31), business_id, chr(31),
        event_ts_us, chr(31), coalesce('m' || error_message, 'n'))),
    event_type, page_id, message_campaign_id, recipient_id, subscription_token, tracking_id, mid, app_id, business_id,
    event_ts_us, error_message, payload, $source_file, $file_order, line, ordinal, plain
from events
