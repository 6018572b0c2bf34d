-- Delivery funnel rates per Page, campaign and UTC send date, each a ratio of the row's counts
-- (re-aggregate the counts, then divide, for longer periods). Rates are percentages.
create or replace view funnel_rates as
select
    page_id,
    message_campaign_id,
    date,
    attempted, accepted, rejected, sent, delivered, read, clicked, failed, unattributed_events,
    cast(100 * accepted / nullif(attempted, 0) as decimal(18, 6)) as acceptance_rate,
    cast(100 * delivered / nullif(sent, 0) as decimal(18, 6)) as delivery_rate,
    cast(100 * read / nullif(delivered, 0) as decimal(18, 6)) as read_rate,
    cast(100 * clicked / nullif(delivered, 0) as decimal(18, 6)) as click_rate,
    cast(100 * failed / nullif(sent, 0) as decimal(18, 6)) as failure_rate,
    -- Events that matched no send, per 100 sends of the row (their own date): how much is unexplained.
    cast(100 * unattributed_events / nullif(sent, 0) as decimal(18, 6)) as unattributed_per_100_sends
from marts.delivery_funnel_daily;
