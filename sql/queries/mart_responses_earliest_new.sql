-- Past rowid $1 of raw.messenger_events and rowid $2 of raw.webhook_events (the rows the responses mart has not
-- read): the earliest UTC time of a new tap or of a new echo or delivery naming a recipient (a message received
-- changes only the taps after it), and how many rows each table gained.
select least(
           (select min(timezone('UTC', event_ts)) from raw.messenger_events
            where rowid > $1 and (event_type = 'postback' or (event_type = 'message' and quick_reply_payload is not null))),
           (select min(timezone('UTC', event_ts)) from raw.webhook_events
            where rowid > $2 and event_type in ('echo', 'delivery') and recipient_id is not null)),
       (select count(*) from raw.messenger_events where rowid > $1),
       (select count(*) from raw.webhook_events where rowid > $2)
