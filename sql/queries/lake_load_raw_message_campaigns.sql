-- Lake mode's mart build: raw.message_campaigns in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, every campaign, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.message_campaigns (
    message_campaign_id, ad_account_id, campaign_name, page_id, status, daily_budget, lifetime_budget,
    start_time, end_time, pixel_id, adset_id, ad_id
)
select message_campaign_id, ad_account_id, campaign_name, page_id, status, daily_budget, lifetime_budget, start_time,
    end_time, pixel_id, adset_id, ad_id
from lake_rows
