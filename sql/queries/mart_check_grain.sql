-- Duplicate grain keys in the mart $mart (a qualified table name) whose grain is the list of columns $grain: the
-- check passes only when this returns no row. Up to 10 examples, most repeated first, and the total count.
select columns(lambda c: list_contains($grain, c)), count(*) as n, count(*) over () as violations
from query_table($mart)
group by all
having count(*) > 1
order by n desc
limit 10
