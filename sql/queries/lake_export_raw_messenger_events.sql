-- Lake mode: one export file's rows of raw.messenger_events, to replace that file's rows in the lake's table.
select event_key, event_type, page_id, sender_id, user_ref, mid, message_text, quick_reply_payload, postback_title,
    postback_payload, referral_ref, referral_source, watermark_ts, subscription_token, event_ts,
    payload::varchar as payload, source_file, source_line
from raw.messenger_events
where source_file = $file
