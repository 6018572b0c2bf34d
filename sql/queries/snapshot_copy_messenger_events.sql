-- Messenger events into the analyst snapshot: sender PSID, user_ref and token pseudonymised; what the person wrote and the event as received left out.
insert into analyst_snapshot.raw.messenger_events
select * replace (
    mmlens_pseudonym(sender_id, $key) as sender_id,
    mmlens_pseudonym(user_ref, $key) as user_ref,
    mmlens_pseudonym(subscription_token, $key) as subscription_token,
    null::text as message_text,
    null::json as payload
)
from raw.messenger_events;
