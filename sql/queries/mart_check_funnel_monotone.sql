-- Funnel rows that go backwards (sent >= delivered >= read >= clicked, accepted + rejected = attempted,
-- sent <= accepted): must be none.
select page_id, message_campaign_id, date, attempted, accepted, rejected, sent, delivered, read, clicked,
       count(*) over () as violations
from marts.delivery_funnel_daily
where not (sent >= delivered and delivered >= read and read >= clicked and sent <= accepted
           and accepted + rejected = attempted and failed <= accepted)
limit 10
