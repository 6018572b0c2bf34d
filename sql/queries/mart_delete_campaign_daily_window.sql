-- Deletes marts.campaign_daily rows in the window [?, ?] (account-local dates) before re-insert.
delete from marts.campaign_daily where date between ? and ?
