-- Export files of one source whose counts do not add up: lines read = read whole + quarantined, and events read =
-- landed + kept + quarantined. Ingestion keeps both true for every file; a row here is a bug that loses data.
select file, lines_read, lines_landed, lines_quarantined, events_read, events_landed, events_kept, events_quarantined
from raw.ingest_manifest
where source = ?
    and (lines_read != lines_landed + lines_quarantined
        or events_read != events_landed + events_kept + events_quarantined)
order by file
