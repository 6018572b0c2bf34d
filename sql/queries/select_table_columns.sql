-- Every column of the raw and mart tables, in table order: what the Dagster column schemas show.
select table_schema || '.' || table_name, column_name, data_type
from information_schema.columns
where table_schema in ('raw', 'marts')
order by table_schema, table_name, ordinal_position
