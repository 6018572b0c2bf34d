-- What mart ? has already seen of each export file.
select source_table, source_file, max_line
from marts.build_state
where mart = ?
