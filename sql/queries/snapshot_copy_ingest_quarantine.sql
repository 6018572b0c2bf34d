-- Quarantine rows into the analyst snapshot without the quarantined text (it can hold anything a file held).
insert into analyst_snapshot.raw.ingest_quarantine
select * replace (null::text as raw_text)
from raw.ingest_quarantine;
