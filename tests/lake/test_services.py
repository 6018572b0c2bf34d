"""The shared lake's services, started for real on loopback: a PostgreSQL catalog (Debian's
PostgreSQL, run as an unprivileged user) with writers of different accounts started together, and
an s3:// warehouse on an S3-compatible endpoint (moto's server). Both fixtures are started once per
session and each test writes a handful of rows, so they cost seconds."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pyarrow.fs as pafs
import pytest

from pipelines.lake.catalog import Lake, Window
from tests.lake.conftest import settings_for
from tests.lake.rows import daily_rows
from tests.lake.test_catalog import NOV, _started_together, _writer, rows_of

pytestmark = pytest.mark.lake_services
S3_KEYS = {"AWS_ACCESS_KEY_ID": "lake-test-key", "AWS_SECRET_ACCESS_KEY": "lake-test-secret", "AWS_REGION": "us-east-1"}


def test_a_postgresql_catalog_takes_writers_of_different_accounts_started_together(postgres_url: str, tmp_path) -> None:
    settings = settings_for(postgres_url, str(tmp_path / "warehouse"))
    lake = Lake(settings)
    writers = [_writer(settings, account, 3) for account in ("7", "8")]
    _started_together(writers)
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
    expected = [(account, NOV[i], Decimal(f"{i + 1}.2500"), 100 + i) for account in ("7", "8") for i in range(3)]
    assert rows_of(lake) == expected
    assert lake.settings.catalog_uri.get_secret_value().startswith("postgresql+psycopg2://")


def test_an_s3_warehouse_holds_the_data_files_and_reads_back(s3_endpoint: str, tmp_path) -> None:
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    s3 = pafs.S3FileSystem(access_key=S3_KEYS["AWS_ACCESS_KEY_ID"], secret_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
                           region=S3_KEYS["AWS_REGION"], endpoint_override=s3_endpoint, allow_bucket_creation=True)
    s3.create_dir(bucket)
    settings = settings_for(f"sqlite:///{tmp_path / 'catalog.db'}", f"s3://{bucket}/mmlens",
                            AWS_ENDPOINT_URL=s3_endpoint, **S3_KEYS)
    lake = Lake(settings)
    day = dt.date(2026, 11, 3)
    for spend in ("4.0000", "4.5000"):  # the second replaces the first
        lake.replace("raw.daily", daily_rows("5", day, spend, 40), Window(("5",), "date", since=day, until=day))
    assert rows_of(lake) == [("5", day, Decimal("4.5000"), 40)]
    keys = [info.path for info in s3.get_file_info(pafs.FileSelector(f"{bucket}/mmlens/raw/daily", recursive=True))]
    assert any(k.startswith(f"{bucket}/mmlens/raw/daily/data/ad_account_id=5/") and k.endswith(".parquet") for k in keys)
    assert any(k.endswith(".metadata.json") for k in keys)
    assert "lake-test-secret" not in repr(settings)


def test_shards_on_postgresql_and_s3_fill_the_lake_like_one_warehouse(postgres_url: str, s3_endpoint: str, tmp_path) -> None:
    """The export tables' Parquet files go to S3 through the table's IO (DuckDB writes them to a
    temporary file first); the catalog is PostgreSQL. Two receivers' shards at once, as on one lake."""
    import duckdb

    from pipelines.lake.query import attach_lake
    from pipelines.lake.shards import Shard, run_shard
    from tests.lake import exports_world as ew

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    s3 = pafs.S3FileSystem(access_key=S3_KEYS["AWS_ACCESS_KEY_ID"], secret_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
                           region=S3_KEYS["AWS_REGION"], endpoint_override=s3_endpoint, allow_bucket_creation=True)
    s3.create_dir(bucket)
    settings = settings_for(postgres_url, f"s3://{bucket}/mmlens", AWS_ENDPOINT_URL=s3_endpoint, **S3_KEYS)
    exports = ew.lay_out(tmp_path / "home")
    shards = {"a": Shard(folder="webhooks/a"), "b": Shard(folder="webhooks/b"), "sends": Shard(folder="sends")}
    writers = [threading.Thread(target=run_shard, args=(tmp_path / f"{name}.duckdb", exports, Lake(settings), shard))
               for name, shard in shards.items()]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
    reference = duckdb.connect(str(ew.single_file_warehouse(exports, tmp_path / "single.duckdb")), read_only=True)
    con = duckdb.connect()
    attach_lake(con, Lake(settings))
    for identifier in ("raw.send_attempts", "raw.ingest_quarantine", "raw.ingest_manifest"):
        expected = reference.sql(f"select * from {identifier} order by all").fetchall()
        assert expected and con.sql(f"select * from {identifier} order by all").fetchall() == expected, identifier
    keys = "select event_key, event_type, source_file, source_line from raw.webhook_events order by all"
    assert con.sql(keys).fetchall() == reference.sql(keys).fetchall()
    stored = [info.path for info in s3.get_file_info(pafs.FileSelector(f"{bucket}/mmlens/raw/webhook_events/data",
                                                                        recursive=True))]
    assert len([k for k in stored if k.endswith(".parquet")]) == 5  # one per webhook file of the two receivers
