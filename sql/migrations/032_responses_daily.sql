-- What recipients tapped: one row per Page, message campaign (NULL when the tap could not be tied to a marketing
-- message), UTC date of the tap, kind (postback / quick_reply) and title/payload. Built by pipelines/mart_builds.py
-- from raw.messenger_events, attributed through raw.webhook_events (pipelines/transforms/responses.py).
create table if not exists marts.responses_daily (
    page_id              text,
    message_campaign_id  text,                   -- the message the person last received on the Page; NULL: unattributed
    date                 date not null,          -- UTC, of the tap
    kind                 text not null,          -- postback or quick_reply
    title                text,                   -- the button's title; a quick reply's text (its title)
    payload              text,
    responses            bigint not null,        -- distinct taps
    attributed           boolean not null        -- message_campaign_id is not NULL
);
