-- Records which numbered migrations have been applied to this warehouse.
create table if not exists main.schema_migrations (
    name        text primary key,
    applied_at  timestamptz not null default current_timestamp
);
