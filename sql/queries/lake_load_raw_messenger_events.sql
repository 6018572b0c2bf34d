-- Lake mode's mart build: raw.messenger_events in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, each event once, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.messenger_events (
    event_key, event_type, page_id, sender_id, user_ref, mid, message_text, quick_reply_payload, postback_title,
    postback_payload, referral_ref, referral_source, watermark_ts, subscription_token, event_ts, payload,
    source_file, source_line
)
select event_key, event_type, page_id, sender_id, user_ref, mid, message_text, quick_reply_payload, postback_title,
    postback_payload, referral_ref, referral_source, watermark_ts, subscription_token, event_ts, payload,
    source_file, source_line
from lake_rows
