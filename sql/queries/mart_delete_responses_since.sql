-- Deletes marts.responses_daily rows dated on or after ? (UTC) before re-insert.
delete from marts.responses_daily where date >= ?
