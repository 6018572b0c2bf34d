-- What ingestion has already read from each export file of one source (webhooks or sends).
select file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size,
    coalesce(events_read, 0), coalesce(events_landed, 0), coalesce(events_kept, 0), coalesce(events_quarantined, 0)
from raw.ingest_manifest
where source = ?
