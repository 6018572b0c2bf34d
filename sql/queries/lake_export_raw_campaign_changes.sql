-- Lake mode: one export file's rows of raw.campaign_changes, to replace that file's rows in the lake's table.
select change_key, object, field, ad_account_id, entity_id, status, event_ts, value::varchar as value,
    payload::varchar as payload, source_file, source_line
from raw.campaign_changes
where source_file = $file
