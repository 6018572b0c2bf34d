-- Message campaigns: name and Page, for every mart that needs them.
select message_campaign_id, ad_account_id, campaign_name, page_id
from raw.message_campaigns
