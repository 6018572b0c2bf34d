-- Send attempts into the analyst snapshot: the subscription token pseudonymised.
insert into analyst_snapshot.raw.send_attempts
select * replace (mmlens_pseudonym(subscription_token, $key) as subscription_token)
from raw.send_attempts;
