-- How many rows raw.send_attempts holds past rowid ? (a tail scan).
select count(*) from raw.send_attempts where rowid > ?
