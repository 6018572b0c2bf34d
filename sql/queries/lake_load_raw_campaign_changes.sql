-- Lake mode's mart build: raw.campaign_changes in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, each change once, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.campaign_changes (
    change_key, object, field, ad_account_id, entity_id, status, event_ts, value, payload, source_file,
    source_line
)
select change_key, object, field, ad_account_id, entity_id, status, event_ts, value, payload, source_file, source_line
from lake_rows
