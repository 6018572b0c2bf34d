-- Land the lines of one batch that could not be parsed, from the registered Arrow table `quarantine_batch`.
insert into raw.ingest_quarantine (source, file, line, reason, raw_text)
select source, file, line, reason, raw_text
from quarantine_batch
