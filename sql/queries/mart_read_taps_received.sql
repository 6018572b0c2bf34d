-- The echoes and deliveries that can attribute the taps at or after $1 (UTC timestamp): those naming a tapper
-- on the Page of the tap, at or before the tapper's last tap, however long ago.
with tappers as (
    select page_id, sender_id, max(event_ts) as last_tap
    from raw.messenger_events
    where event_ts >= $1 and sender_id is not null
      and (event_type = 'postback' or (event_type = 'message' and quick_reply_payload is not null))
    group by all
)
select w.event_type, w.page_id, w.recipient_id, w.message_campaign_id, timezone('UTC', w.event_ts) as event_ts
from raw.webhook_events as w
join tappers as t on t.page_id = w.page_id and t.sender_id = w.recipient_id
where w.event_type in ('echo', 'delivery') and w.event_ts <= t.last_tap
