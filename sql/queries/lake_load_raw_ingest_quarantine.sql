-- Lake mode's mart build: raw.ingest_quarantine in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, every row, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.ingest_quarantine (
    source, file, line, item, reason, raw_text
)
select source, file, line, item, reason, raw_text
from lake_rows
