-- Record progress through one export file; the counters are totals since the file was first read.
insert into raw.ingest_manifest (source, file, bytes_read, lines_read, lines_landed, lines_quarantined, file_size,
    events_read, events_landed, events_kept, events_quarantined)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict (source, file) do update set
    bytes_read = excluded.bytes_read,
    lines_read = excluded.lines_read,
    lines_landed = excluded.lines_landed,
    lines_quarantined = excluded.lines_quarantined,
    file_size = excluded.file_size,
    events_read = excluded.events_read,
    events_landed = excluded.events_landed,
    events_kept = excluded.events_kept,
    events_quarantined = excluded.events_quarantined
