-- The event is the unit, not the line: a POST that mixes marketing-message events with standard Messenger events and
-- campaign webhooks lands every event it can read in its own table, and quarantines an unreadable item on its own.

-- One row per distinct standard Messenger event (`pipelines/webhooks/messenger.py`): messages (quick replies),
-- deliveries and reads (watermarks), postbacks, opt-ins, referrals typed; other Messenger events kept whole.
create table if not exists raw.messenger_events (
    event_key            text primary key,      -- md5 of type, Page, sender, time and the sorted-key event
    event_type           text not null,         -- message, delivery, read, postback, optin, referral, echo, reaction, ...
    page_id              text,
    sender_id            text,                  -- the person's PSID (NULL when the sender is a user_ref)
    user_ref             text,
    mid                  text,
    message_text         text,
    quick_reply_payload  text,                  -- a tapped quick reply (messages)
    postback_title       text,                  -- a tapped button (postbacks)
    postback_payload     text,
    referral_ref         text,
    referral_source      text,
    watermark_ts         timestamptz,           -- deliveries and reads: every message before it is delivered / read
    subscription_token   text,                  -- opt-ins: notification_messages_token
    event_ts             timestamptz not null,  -- UTC
    payload              json,                  -- the event object as received
    source_file          text not null,
    source_line          bigint not null
);

-- One row per distinct message-campaign, campaign-group or ad-account webhook item. Their shapes are not documented
-- (INFERRED): the item is kept whole beside the fields read by their usual Graph names.
create table if not exists raw.campaign_changes (
    change_key     text primary key,
    object         text,                        -- the POST's `object`
    field          text not null,
    ad_account_id  text,                        -- without `act_`
    entity_id      text,                        -- the campaign, campaign group or ad object the change is about
    status         text,
    event_ts       timestamptz,                 -- NULL when the item carries no time
    value          json,
    payload        json,                        -- the item as received
    source_file    text not null,
    source_line    bigint not null
);

-- Postbacks and opt-ins are standard Messenger events: they move to their table, typed from the payload they kept.
-- Their keys stay those they were landed with.
insert into raw.messenger_events
select event_key, event_type, page_id, recipient_id,
    payload ->> '$.sender.user_ref',
    coalesce(payload ->> '$.postback.mid', payload ->> '$.optin.mid', mid),
    null, null,
    payload ->> '$.postback.title', payload ->> '$.postback.payload',
    payload ->> '$.postback.referral.ref', payload ->> '$.postback.referral.source',
    null,
    case when event_type = 'optin' then subscription_token end,
    event_ts, payload, source_file, source_line
from raw.webhook_events
where event_type in ('postback', 'optin')
on conflict do nothing;
delete from raw.webhook_events where event_type in ('postback', 'optin');
delete from marts.build_watermarks where source_table = 'webhook_events';

-- Quarantine rows name the item: 0 for a whole line, else the item's place in its line (from 1).
create table raw.ingest_quarantine_items (
    source     text not null,
    file       text not null,
    line       bigint not null,
    item       bigint not null,
    reason     text not null,
    raw_text   text,
    primary key (source, file, line, item)
);
insert into raw.ingest_quarantine_items select source, file, line, 0, reason, raw_text from raw.ingest_quarantine;
drop table raw.ingest_quarantine;
alter table raw.ingest_quarantine_items rename to ingest_quarantine;

-- Per file, events as well as lines: events read = landed (raw.webhook_events, raw.send_attempts) + kept
-- (raw.messenger_events, raw.campaign_changes) + quarantined (a line quarantined whole counts as one). Files read
-- before are counted from what they left in the tables.
alter table raw.ingest_manifest add column events_read bigint;
alter table raw.ingest_manifest add column events_landed bigint;
alter table raw.ingest_manifest add column events_kept bigint;
alter table raw.ingest_manifest add column events_quarantined bigint;
update raw.ingest_manifest as m set
    events_landed = case when m.source = 'webhooks'
        then (select count(*) from raw.webhook_events as w where w.source_file = m.file)
        else (select count(*) from raw.send_attempts as a where a.source_file = m.file) end,
    events_kept = case when m.source = 'webhooks'
        then (select count(*) from raw.messenger_events as e where e.source_file = m.file) else 0 end,
    events_quarantined = m.lines_quarantined;
update raw.ingest_manifest set events_read = events_landed + events_kept + events_quarantined;
