-- Deletes every marts.delivery_estimates row (the mart is small and rebuilt whole).
delete from marts.delivery_estimates
