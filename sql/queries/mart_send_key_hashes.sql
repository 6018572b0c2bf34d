-- The directory hashes (marts.send_keys) of the tracking ids in list $1 and of the
-- (message_campaign_id, subscription_token) pairs given as the aligned lists $2 and $3.
select (select coalesce(list(hash(i)), []) from unnest($1::text[]) as u(i)),
       (select coalesce(list(hash(c, t)), []) from (select unnest($2::text[]) as c, unnest($3::text[]) as t))
