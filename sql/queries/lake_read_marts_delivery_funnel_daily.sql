-- Lake mode: every row of marts.delivery_funnel_daily, built over the lake's export tables, to replace the lake's table whole.
select * from marts.delivery_funnel_daily;
