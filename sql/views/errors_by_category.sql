-- Errors per UTC date, source and category: occurrences, their share of the day's errors of that
-- source, how many of them a retry can help, and the most frequent code of the category.
create or replace view errors_by_category as
with per_category as (
    select date, source, category,
           sum(occurrences) as occurrences,
           sum(occurrences) filter (where retryable) as retryable_occurrences,
           count(distinct error_code) as distinct_codes,
           arg_max(error_code, occurrences) as top_code
    from marts.error_codes_daily
    group by date, source, category
)
select *,
       cast(100 * occurrences / sum(occurrences) over (partition by date, source) as decimal(18, 6)) as share_of_day
from per_category;
