-- Taps at or after ? (UTC timestamp): postbacks and quick-reply messages.
select event_type, page_id, sender_id, message_text, quick_reply_payload, postback_title, postback_payload,
       timezone('UTC', event_ts) as event_ts
from raw.messenger_events
where event_ts >= ?
  and (event_type = 'postback' or (event_type = 'message' and quick_reply_payload is not null))
