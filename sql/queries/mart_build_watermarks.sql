-- How far mart ? had read the raw export tables at its last build.
select source_table, max_rowid, row_count
from marts.build_watermarks
where mart = ?
