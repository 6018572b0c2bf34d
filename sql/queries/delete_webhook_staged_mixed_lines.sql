-- Unstage the SQL-lane items of the lines $first..$last of $source_file that hold an item that is not plain
-- (`webhook_lines_parse.sql`): such a line goes to the Python parser whole.
delete from webhook_staged
where source_file = $source_file and source_line between $first and $last
    and source_line in (
        select source_line from webhook_staged
        where source_file = $source_file and source_line between $first and $last and not plain
    )
