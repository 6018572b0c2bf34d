-- Accepted sends before $1 (UTC timestamp) whose tracking id hashes to one in list $2 or whose
-- (campaign, token) hashes to one in list $3: the older sends a window's events may belong to. The
-- directory marts.send_keys (32-bit integers only) names their rowids, so no send's strings are
-- hashed; the caller re-checks the real ids and keys (hashes may collide).
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
with found as materialized (
    select raw_rowid from marts.send_keys where list_contains($2::uinteger[], id_hash) or list_contains($3::uinteger[], key_hash)
)
select make_timestamp(epoch_us(ts)) as ts, message_campaign_id, subscription_token, success, tracking_id, rowid as raw_rowid
from raw.send_attempts
where success and ts < $1 and rowid in (select raw_rowid from found)
