-- Land the lines and items of one batch that could not be read, from the registered Arrow table `quarantine_batch`
-- (item 0: the whole line; n: the line's n-th item).
insert into raw.ingest_quarantine (source, file, line, item, reason, raw_text)
select source, file, line, item, reason, raw_text
from quarantine_batch
