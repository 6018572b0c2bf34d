-- Empties the send directory before it is rebuilt (raw.send_attempts was rebuilt).
delete from marts.send_keys
