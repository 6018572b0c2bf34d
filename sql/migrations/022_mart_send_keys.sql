-- A compact directory of accepted sends for the funnel's incremental builds: 32-bit hashes (the low
-- bits of DuckDB's hash) of (message_campaign_id, subscription_token) and of the tracking id, with
-- the send's rowid in raw.send_attempts. Finding a window's older sends then scans these integers
-- instead of every send's strings. Hashes only narrow the search: matches are re-read and checked
-- on the real values. Kept up to date from marts.build_watermarks (mart 'send_keys').
create table if not exists marts.send_keys (
    key_hash  uinteger not null,
    id_hash   uinteger,
    raw_rowid bigint not null
);
