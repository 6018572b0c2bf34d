-- Land the campaign webhooks of one chunk (the registered data frame `changes_batch`): each key once, at its first
-- occurrence; changes already in the table (redeliveries) are skipped.
insert into raw.campaign_changes
select change_key, object, field, ad_account_id, entity_id, status, make_timestamptz(event_ts_us), value::json,
    payload::json, source_file, source_line
from changes_batch as b
where not exists (select 1 from raw.campaign_changes as c where c.change_key = b.change_key)
qualify row_number() over (partition by change_key order by source_line, ordinal) = 1
