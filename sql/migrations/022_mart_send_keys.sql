-- A compact directory of accepted sends for the funnel's incremental builds: 64-bit hashes of
-- (message_campaign_id, subscription_token) and of the tracking id, with the send's rowid in
-- raw.send_attempts. Finding a window's older sends then scans these integers instead of every
-- send's strings. Hashes only narrow the search: matches are re-read and checked on the real
-- values. Kept up to date from marts.build_watermarks (mart 'send_keys'), like the marts.
create table if not exists marts.send_keys (
    key_hash  ubigint not null,
    id_hash   ubigint,
    raw_rowid bigint not null
);
