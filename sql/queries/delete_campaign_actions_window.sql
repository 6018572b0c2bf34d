-- Deletes one ad account's daily pixel actions in [since, until] (account-local dates) before re-insert.
delete from raw.campaign_actions_daily where ad_account_id = ? and date between ? and ?;
