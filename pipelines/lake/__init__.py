"""Lake mode: the Graph raw tables and account marts also kept as Apache Iceberg tables (pyiceberg's
SQL catalog; Parquet in a folder or on S3), beside each run's DuckDB file. Deployment: docs/deploy.md.

Modules, one concern each:
- `config`: `MMLENS_LAKE_CATALOG_URI`, `MMLENS_LAKE_WAREHOUSE` and the S3 variables, secrets kept secret;
- `catalog`: `Lake` (tables partitioned by ad account, `replace(rows, Window)` as one commit,
  retried on conflicts), `Window`;
- `publish`: a run's windows from its DuckDB warehouse into the lake (`LAKE_TABLES`);
- `query`: the lake's tables shown to DuckDB by their warehouse names.

Nothing here imports Dagster. `pipelines/settings.py` imports `config` (no pyiceberg); the rest is
imported by `assets/lake.py` only in lake mode, and by the tests.
"""
