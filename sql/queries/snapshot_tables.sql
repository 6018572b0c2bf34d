-- The warehouse's own tables (schema, name), to be copied into the analyst snapshot.
select schema_name, table_name
from duckdb_tables()
where database_name = current_database() and not internal and not temporary
order by schema_name, table_name;
