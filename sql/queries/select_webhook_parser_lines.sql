-- The lines $first..$last of $source_file (in `webhook_lines`) that the SQL lane does not land, for the Python parser:
-- DuckDB could not read them, they hold no items, or one of their items is not plain (those were unstaged by
-- `delete_webhook_staged_mixed_lines.sql`).
select l.line
from webhook_lines as l
where l.line not in (
    select source_line from webhook_staged where source_file = $source_file and source_line between $first and $last
)
order by l.line
