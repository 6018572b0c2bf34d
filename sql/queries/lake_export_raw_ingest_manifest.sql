-- Lake mode: one export file's row of raw.ingest_manifest, to replace that file's row in the lake's table.
select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, events_landed,
    events_kept, events_quarantined
from raw.ingest_manifest
where file = $file
