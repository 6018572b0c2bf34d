-- The size of each export file on disk when ingestion last read it: a file whose size has not changed is skipped
-- without being opened (for .gz files bytes_read counts uncompressed bytes, so it cannot serve for that).
alter table raw.ingest_manifest add column if not exists file_size bigint;
