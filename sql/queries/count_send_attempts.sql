-- Rows in raw.send_attempts (the asset's row count).
select count(*) from raw.send_attempts
