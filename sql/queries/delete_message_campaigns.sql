-- Empties raw.message_campaigns before the campaign snapshot is inserted.
delete from raw.message_campaigns;
