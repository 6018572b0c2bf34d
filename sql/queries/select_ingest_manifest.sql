-- What ingestion has already read from each export file of one source (webhooks or sends).
select file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size
from raw.ingest_manifest
where source = ?
