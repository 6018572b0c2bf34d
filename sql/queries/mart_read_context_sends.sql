-- Accepted sends before $1 (UTC timestamp) whose tracking id is in list $2 or whose
-- (message_campaign_id, subscription_token) is one of the pairs given as the aligned lists $3 and
-- $4, or that merely share a hash with one: the older sends a window's events may belong to. The
-- directory marts.send_keys (32-bit hashes, the same expressions as mart_append_send_keys.sql)
-- names their rowids, so no send's strings are hashed; the caller re-checks the real ids and keys
-- (hashes may collide). One round trip: the hashes of the looked-up values are computed here.
-- UTC wall time by integer arithmetic, not a time zone lookup per row (see mart_read_webhook_events.sql).
with id_hashes as materialized (
    select distinct (hash(i) % 4294967296)::uinteger as h from unnest($2::text[]) as u(i)
),
key_hashes as materialized (
    select distinct (hash(c, t) % 4294967296)::uinteger as h
    from (select unnest($3::text[]) as c, unnest($4::text[]) as t)
),
found as materialized (
    select raw_rowid from marts.send_keys
    where id_hash in (select h from id_hashes) or key_hash in (select h from key_hashes)
)
select make_timestamp(epoch_us(ts)) as ts, message_campaign_id, subscription_token, success, tracking_id, rowid as raw_rowid
from raw.send_attempts
where success and ts < $1 and rowid in (select raw_rowid from found)
