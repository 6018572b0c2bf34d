-- Marks one migration file as applied.
insert into main.schema_migrations (name) values (?);
