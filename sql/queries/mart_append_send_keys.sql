-- Adds the accepted sends past rowid ? of raw.send_attempts to the directory marts.send_keys.
insert into marts.send_keys (key_hash, id_hash, raw_rowid)
select (hash(message_campaign_id, subscription_token) % 4294967296)::uinteger,
       (hash(tracking_id) % 4294967296)::uinteger, rowid
from raw.send_attempts
where rowid > ? and success
