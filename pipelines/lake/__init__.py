"""Lake mode: the Graph raw tables, the export tables and the marts also kept as Apache Iceberg tables (pyiceberg's
SQL catalog; Parquet in a folder or on S3), beside each run's DuckDB file. Deployment: docs/deploy.md.

Modules, one concern each:
- `config`: `MMLENS_LAKE_CATALOG_URI`, `MMLENS_LAKE_WAREHOUSE` and the S3 variables, secrets kept secret;
- `catalog`: `Lake` (tables partitioned by ad account, `replace(rows, Window)` as one commit,
  retried on conflicts), `Window`;
- `publish`: a run's windows from its DuckDB warehouse into the lake (`LAKE_TABLES`);
- `query`: the lake's tables shown to DuckDB by their warehouse names (export tables: each key once);
- `shards`: ingestion split by export file (a receiver's folder, part k of n), each shard in its own
  DuckDB working copy; `export_tables`: a shard's files into the lake, one partition per file,
  written by `datafiles` and committed by `Lake.replace_files`; `export_marts`: the funnel, error
  codes and responses built over the lake.

Nothing here imports Dagster. `pipelines/settings.py` imports `config` (no pyiceberg); the rest is
imported by `assets/lake.py` only in lake mode, and by the tests.
"""
