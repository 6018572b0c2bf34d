-- Webhook event keys are now the hash of the event's identity, computed alike by DuckDB and the parser
-- (`pipelines/webhooks/parse.py`, `event_key`): md5 of the type, the ids, the timestamp in microseconds and the error
-- message, joined by U+001F; for postbacks, opt-ins and upload statuses also their content with keys sorted. Events
-- landed before got their keys from their sorted-key payload, which is what they still hold: recompute their keys so
-- that redeliveries keep landing once, and keep the first of any events the new key finds to be one.
update raw.webhook_events set event_key = md5(
    concat_ws(chr(31), event_type, coalesce(page_id, ''), coalesce(message_campaign_id, ''),
        coalesce(recipient_id, ''), coalesce(subscription_token, ''), coalesce(tracking_id, ''), coalesce(mid, ''),
        coalesce(app_id, ''), coalesce(business_id, ''), epoch_us(event_ts)::varchar,
        coalesce('m' || error_message, 'n'))
    || case when event_type in ('postback', 'optin', 'subscriber_upload_status')
            then chr(31) || payload::varchar else '' end);

delete from raw.webhook_events
where rowid in (
    select rowid
    from (
        select rowid, row_number() over (partition by event_key order by source_file, source_line) as n
        from raw.webhook_events
    )
    where n > 1
);
