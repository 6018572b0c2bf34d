-- Lake mode: every row of marts.error_codes_daily, built over the lake's export tables, to replace the lake's table whole.
select * from marts.error_codes_daily;
