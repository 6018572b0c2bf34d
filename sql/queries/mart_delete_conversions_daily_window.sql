-- Deletes marts.conversions_daily rows in the window [?, ?] (account-local dates) before re-insert.
delete from marts.conversions_daily where date between ? and ?
