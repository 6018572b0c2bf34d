-- Webhook events parsed from the chunks read since the last flush, both lanes, before they land in
-- raw.webhook_events in one insert (DuckDB writes one large insert far faster than many small ones). Temporary:
-- it lives as long as the connection and never reaches the warehouse file. `plain` marks SQL-lane rows whose line
-- DuckDB may land; `ordinal` is the event's position in its line.
create or replace temporary table webhook_staged (
    event_key            text,
    event_type           text,
    page_id              text,
    message_campaign_id  text,
    recipient_id         text,
    subscription_token   text,
    tracking_id          text,
    mid                  text,
    app_id               text,
    business_id          text,
    event_ts_us          bigint,
    error_message        text,
    payload              json,
    source_file          text,
    file_order           bigint,   -- the file's place in the order files are read (path order)
    source_line          bigint,
    ordinal              bigint,
    plain                boolean
)
