-- Deletes one ad account's daily insights in [since, until] (account-local dates) before re-insert.
delete from raw.campaign_insights_daily where ad_account_id = ? and date between ? and ?;
