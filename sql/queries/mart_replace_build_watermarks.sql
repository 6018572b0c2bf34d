-- Records how far mart ? has now read, from the registered frame `watermark_rows`.
insert or replace into marts.build_watermarks (mart, source_table, max_rowid, row_count)
select ?, source_table, max_rowid, row_count
from watermark_rows
