-- The sending Page of each ad account for delivery estimates: the Page with most campaigns, lowest id on ties.
select ad_account_id, page_id
from (
    select ad_account_id, page_id,
           row_number() over (partition by ad_account_id order by count(*) desc, page_id) as rank
    from raw.message_campaigns
    where page_id is not null
    group by ad_account_id, page_id
)
where rank = 1
order by ad_account_id;
