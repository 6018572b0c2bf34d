-- Lake mode: every row of a shard's raw.ingest_manifest, to find the files the lake does not hold as they are here.
select source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size, events_read, events_landed,
    events_kept, events_quarantined
from raw.ingest_manifest
order by file
