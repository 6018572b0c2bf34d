-- Lake mode: every row of marts.responses_daily, built over the lake's export tables, to replace the lake's table whole.
select * from marts.responses_daily;
