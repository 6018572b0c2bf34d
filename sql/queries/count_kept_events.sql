-- Rows of the tables that keep what is not a marketing-message event: standard Messenger events, campaign webhooks.
select (select count(*) from raw.messenger_events), (select count(*) from raw.campaign_changes)
