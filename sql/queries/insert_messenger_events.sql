-- Land the standard Messenger events of one chunk (the registered data frame `messenger_batch`): each key once, at its
-- first occurrence (line, then place in the line); events already in the table (redeliveries) are skipped.
insert into raw.messenger_events
select event_key, event_type, page_id, sender_id, user_ref, mid, message_text, quick_reply_payload, postback_title,
    postback_payload, referral_ref, referral_source, make_timestamptz(watermark_us), subscription_token,
    make_timestamptz(event_ts_us), payload::json, source_file, source_line
from messenger_batch as b
where not exists (select 1 from raw.messenger_events as e where e.event_key = b.event_key)
qualify row_number() over (partition by event_key order by source_line, ordinal) = 1
