-- raw.webhook_events without its primary-key index. event_key stays unique: the ingester (the single writer) inserts
-- only keys absent from the table, first occurrence per batch, in the same transaction. Maintaining the index on
-- random hash keys doubled the load time of large exports, and the anti-join does not need it.
create table raw.webhook_events_unindexed (
    event_key                 text not null,        -- stable hash of the event type and its content
    event_type                text not null,        -- echo, delivery, read, click, delivery_failed,
                                                    -- subscriber_upload_status, postback, optin
    page_id                   text,
    message_campaign_id       text,
    recipient_id              text,                 -- NULL when Meta sends null, 0 or nothing
    subscription_token        text,
    tracking_id               text,
    mid                       text,
    app_id                    text,
    business_id               text,
    event_ts                  timestamptz not null, -- UTC
    error_message             text,
    payload                   json,                 -- the event object, keys sorted
    source_file               text not null,
    source_line               bigint not null
);
insert into raw.webhook_events_unindexed select * from raw.webhook_events;
drop table raw.webhook_events;
alter table raw.webhook_events_unindexed rename to webhook_events;
