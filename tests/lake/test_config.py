"""Lake settings: both variables or neither, one-line errors naming the variable, and the catalog
URI (which may hold a password) and S3 keys never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.lake.catalog import Lake, LakeCatalogError
from pipelines.lake.config import LakeConfigError, parse_lake_settings
from pipelines.settings import load_settings


def parse(**env: str):
    return parse_lake_settings(env.get)


def test_neither_variable_keeps_lake_mode_off() -> None:
    assert parse() is None
    assert load_settings({"MMLENS_HOME": "var"}, env_file=None).lake is None


@pytest.mark.parametrize(("env", "message"), [
    ({"MMLENS_LAKE_WAREHOUSE": "/tmp/x"}, "MMLENS_LAKE_CATALOG_URI: required when MMLENS_LAKE_WAREHOUSE is set"),
    ({"MMLENS_LAKE_CATALOG_URI": "sqlite:///c.db"}, "MMLENS_LAKE_WAREHOUSE: required when MMLENS_LAKE_CATALOG_URI is set"),
    ({"MMLENS_LAKE_CATALOG_URI": "mysql://root:hunter2@db/x", "MMLENS_LAKE_WAREHOUSE": "/tmp/x"},
     "MMLENS_LAKE_CATALOG_URI: 'mysql' is not a SQL catalog URL"),
    ({"MMLENS_LAKE_CATALOG_URI": "hunter2", "MMLENS_LAKE_WAREHOUSE": "/tmp/x"},
     "MMLENS_LAKE_CATALOG_URI: no scheme is not a SQL catalog URL"),
    ({"MMLENS_LAKE_CATALOG_URI": "sqlite:///c.db", "MMLENS_LAKE_WAREHOUSE": "s3://"},
     "MMLENS_LAKE_WAREHOUSE: 's3://' is not an s3://bucket/prefix URI"),
    ({"MMLENS_LAKE_CATALOG_URI": "sqlite:///c.db", "MMLENS_LAKE_WAREHOUSE": "gs://bucket/x"},
     "MMLENS_LAKE_WAREHOUSE: 'gs://bucket/x' is neither a folder nor an s3:// URI"),
    ({"MMLENS_LAKE_CATALOG_URI": "sqlite:///c.db", "MMLENS_LAKE_WAREHOUSE": "s3://bucket/x", "AWS_ENDPOINT_URL": "localhost:9000"},
     "AWS_ENDPOINT_URL: 'localhost:9000' is not an http(s) URL"),
])
def test_bad_settings_are_one_line_naming_the_variable_without_the_secret(env: dict[str, str], message: str) -> None:
    with pytest.raises(LakeConfigError) as caught:
        parse(**env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value) and "hunter2" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_file_where_the_warehouse_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(LakeConfigError, match="MMLENS_LAKE_WAREHOUSE: .* is not a directory"):
        parse(MMLENS_LAKE_CATALOG_URI="sqlite:///c.db", MMLENS_LAKE_WAREHOUSE=str(tmp_path / "file"))


def test_postgresql_uses_the_installed_driver_and_s3_takes_the_standard_variables() -> None:
    settings = parse(MMLENS_LAKE_CATALOG_URI="postgresql://lake:hunter2@db.internal/lake", MMLENS_LAKE_WAREHOUSE="s3://lake-bucket/mmlens/",
                     AWS_ENDPOINT_URL="http://127.0.0.1:9000", AWS_ACCESS_KEY_ID="AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY="s3cr3t",
                     AWS_REGION="eu-west-1")
    assert settings is not None
    assert settings.catalog_properties() == {
        "uri": "postgresql+psycopg2://lake:hunter2@db.internal/lake", "warehouse": "s3://lake-bucket/mmlens",
        "s3.endpoint": "http://127.0.0.1:9000", "s3.region": "eu-west-1", "s3.access-key-id": "AKIAEXAMPLE",
        "s3.secret-access-key": "s3cr3t",
    }
    shown = repr(settings) + str(settings)
    assert "hunter2" not in shown and "s3cr3t" not in shown and "AKIAEXAMPLE" not in shown


def test_a_local_warehouse_is_a_file_uri_of_the_absolute_folder(tmp_path: Path) -> None:
    settings = parse(MMLENS_LAKE_CATALOG_URI=f"sqlite:///{tmp_path}/c.db", MMLENS_LAKE_WAREHOUSE=str(tmp_path / "lake"))
    assert settings is not None
    assert settings.catalog_properties()["warehouse"] == f"file://{tmp_path}/lake"


def test_a_catalog_that_cannot_be_opened_is_one_line_without_the_password(tmp_path: Path) -> None:
    from tests.lake.services import free_port

    settings = parse(MMLENS_LAKE_CATALOG_URI=f"postgresql://lake:hunter2@127.0.0.1:{free_port()}/lake",
                     MMLENS_LAKE_WAREHOUSE=str(tmp_path / "lake"))
    assert settings is not None
    with pytest.raises(LakeCatalogError) as caught:
        Lake(settings)
    assert str(caught.value).startswith("lake catalog: cannot be opened (")
    assert "hunter2" not in str(caught.value) and "\n" not in str(caught.value)
