-- Lake mode's mart build: raw.ingest_manifest in a fresh working copy from the lake's rows (the registered relation
-- `lake_rows`, every file, in the order ingestion reads the files), so the marts build as over one warehouse.
insert into raw.ingest_manifest (
    source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read,
    events_landed, events_kept, events_quarantined
)
select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, events_landed,
    events_kept, events_quarantined
from lake_rows
