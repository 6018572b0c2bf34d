-- raw.send_attempts.error_name: an error code as Meta names it. Frequency caps are names since Apr 10, 2026
-- (WEEKLY_MM_LOAD_CAP_REACHED, DAILY_MM_LOAD_CAP_REACHED, MIN_ORGANIC_THREAD_NOT_REACHED) and the reference does not
-- say in which field they come: a name in `code` or `error_subcode`, a name-shaped `error_user_title`, or a code in
-- `error_data`. error_code and error_subcode keep their meaning (the numbers of those fields, NULL when Meta sent a
-- name); lines landed before this migration have NULL here (their string codes were quarantined then).
alter table raw.send_attempts add column error_name text;
