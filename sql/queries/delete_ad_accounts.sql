-- Empties raw.ad_accounts before a snapshot of the configured accounts is inserted.
delete from raw.ad_accounts;
