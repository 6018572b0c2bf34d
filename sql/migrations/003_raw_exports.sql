-- Raw tables landed from the exports: webhook events, send attempts, the ingest manifest and quarantine.

-- One row per distinct webhook event (redeliveries land once, keyed by event_key).
create table if not exists raw.webhook_events (
    event_key                 text primary key,     -- stable hash of the event's identifying content
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
    payload                   json,                 -- the event object as received
    source_file               text not null,
    source_line               bigint not null
);

-- One row per Send API attempt in exports/sends.
create table if not exists raw.send_attempts (
    attempt_key          text primary key,
    ts                   timestamptz not null,
    ad_account_id        text,
    message_campaign_id  text,
    subscription_token   text,
    http_status          integer,
    success              boolean not null,
    tracking_id          text,
    error_code           bigint,
    error_subcode        bigint,
    error_type           text,
    error_message        text,
    is_transient         boolean,
    remaining_seconds    bigint,
    source_file          text not null,
    source_line          bigint not null
);

-- What ingestion has read: one row per export file.
create table if not exists raw.ingest_manifest (
    source          text not null,      -- webhooks or sends
    file            text not null,      -- path relative to MMLENS_HOME/exports
    bytes_read      bigint not null,
    lines_read      bigint not null,
    lines_landed    bigint not null,
    lines_quarantined bigint not null,
    primary key (source, file)
);

-- Lines that could not be landed, with the reason. Counts in = landed + quarantined.
create table if not exists raw.ingest_quarantine (
    source     text not null,
    file       text not null,
    line       bigint not null,
    reason     text not null,
    raw_text   text,
    primary key (source, file, line)
);
