-- Lake mode: one export file's rows of raw.ingest_quarantine, to replace that file's rows in the lake's table.
select source, file, line, item, reason, raw_text
from raw.ingest_quarantine
where file = $file
