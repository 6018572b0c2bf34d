-- The directory hashes (marts.send_keys) of the tracking ids in list $1 and of the
-- (message_campaign_id, subscription_token) pairs given as the aligned lists $2 and $3 (the same
-- expressions as mart_append_send_keys.sql).
select (select coalesce(list((hash(i) % 4294967296)::uinteger), []) from unnest($1::text[]) as u(i)),
       (select coalesce(list((hash(c, t) % 4294967296)::uinteger), []) from (select unnest($2::text[]) as c, unnest($3::text[]) as t))
