-- Deletes marts.error_codes_daily rows dated on or after ? (UTC) before re-insert.
delete from marts.error_codes_daily where date >= ?
