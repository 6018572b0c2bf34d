-- Records what mart ? has now seen, from the registered frame `state_rows` (source_table, source_file, max_line).
insert or replace into marts.build_state (mart, source_table, source_file, max_line)
select ?, source_table, source_file, max_line
from state_rows
