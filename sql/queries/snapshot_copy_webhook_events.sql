-- Webhook events into the analyst snapshot: recipient PSID and subscription token pseudonymised, the event as received left out.
insert into analyst_snapshot.raw.webhook_events
select * replace (
    mmlens_pseudonym(recipient_id, $key) as recipient_id,
    mmlens_pseudonym(subscription_token, $key) as subscription_token,
    null::json as payload
)
from raw.webhook_events;
