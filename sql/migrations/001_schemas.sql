-- Creates the warehouse's schemas. Migrations are applied in file-name order, once each.
create schema if not exists raw;
create schema if not exists marts;
