-- Incremental marts remember how far into each raw export table they have read: the highest rowid
-- and the row count (raw export tables only grow, so rows past the rowid are the new ones; a
-- count that does not add up means the table was rebuilt, and the mart rebuilds in full).
create table if not exists marts.build_watermarks (
    mart         text not null,
    source_table text not null,
    max_rowid    bigint not null,
    row_count    bigint not null,
    primary key (mart, source_table)
);
-- Superseded by build_watermarks (per-file line numbers needed a scan of every raw row).
drop table if exists marts.build_state;
