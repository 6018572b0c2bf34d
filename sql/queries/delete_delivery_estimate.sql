-- Deletes one ad account's delivery-estimate snapshot for one date before it is re-inserted.
delete from raw.delivery_estimates where ad_account_id = ? and snapshot_date = ?;
