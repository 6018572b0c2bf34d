"""Lake mode's configuration: where the Iceberg catalog and the data files are.

`MMLENS_LAKE_CATALOG_URI` names the SQL catalog (SQLAlchemy URL: `sqlite:///path/catalog.db` for one
machine, `postgresql://user:password@host/db` for many) and `MMLENS_LAKE_WAREHOUSE` where the
Parquet files go (a folder, or `s3://bucket/prefix`; S3 endpoint and keys come from the standard
`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`). Both or neither:
neither keeps the single-file DuckDB warehouse alone. The catalog URI may carry a password and the
S3 keys are secrets, so they are kept as `SecretStr` and never printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from pipelines.errors import UsageError

CATALOG_VAR = "MMLENS_LAKE_CATALOG_URI"
WAREHOUSE_VAR = "MMLENS_LAKE_WAREHOUSE"
CATALOG_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg2")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/[^\s]*)?$")


class LakeConfigError(UsageError):
    """A lake setting is missing or wrong; the message is one line naming the variable."""


class LakeSettings(BaseModel):
    """Where the lake is. `catalog_uri` is secret (it may hold a database password)."""

    model_config = ConfigDict(frozen=True)

    catalog_uri: SecretStr
    warehouse: str  # an absolute folder or an s3:// URI
    s3_endpoint: str | None = None
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_region: str | None = None

    @property
    def on_s3(self) -> bool:
        return self.warehouse.startswith("s3://")

    def catalog_properties(self) -> dict[str, str]:
        """pyiceberg's SqlCatalog properties (secrets in clear: hand them to pyiceberg only)."""
        properties = {"uri": self.catalog_uri.get_secret_value(), "warehouse": self.warehouse}
        if self.on_s3:
            for key, value in (("s3.endpoint", self.s3_endpoint), ("s3.region", self.s3_region),
                               ("s3.access-key-id", self.s3_access_key_id),
                               ("s3.secret-access-key", self.s3_secret_access_key)):
                if value is not None:
                    properties[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
        else:
            properties["warehouse"] = Path(self.warehouse).as_uri()
        return properties


def _catalog_uri(raw: str) -> SecretStr:
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in CATALOG_SCHEMES:
        # The value itself may hold a password: only its scheme is named.
        shown = repr(scheme) if scheme else "no scheme"
        raise LakeConfigError(f"{CATALOG_VAR}: {shown} is not a SQL catalog URL (sqlite:///… or postgresql://…)")
    if scheme == "postgresql":
        # SQLAlchemy 2.1's default PostgreSQL driver is psycopg 3; pyiceberg's `sql-postgres` brings psycopg2.
        raw = "postgresql+psycopg2://" + raw.split("://", 1)[1]
    return SecretStr(raw)


def _warehouse(raw: str) -> str:
    if raw.startswith("s3://"):
        if not _S3_URI.match(raw):
            raise LakeConfigError(f"{WAREHOUSE_VAR}: {raw!r} is not an s3://bucket/prefix URI")
        return raw.rstrip("/")
    if "://" in raw:
        raise LakeConfigError(f"{WAREHOUSE_VAR}: {raw!r} is neither a folder nor an s3:// URI")
    folder = Path(raw).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise LakeConfigError(f"{WAREHOUSE_VAR}: {raw!r} is not a directory")
    return str(folder)


def parse_lake_settings(get: Callable[[str], str | None]) -> LakeSettings | None:
    """The lake settings from a getter of non-empty variables, or None when lake mode is off."""
    catalog, warehouse = get(CATALOG_VAR), get(WAREHOUSE_VAR)
    if catalog is None and warehouse is None:
        return None
    if catalog is None:
        raise LakeConfigError(f"{CATALOG_VAR}: required when {WAREHOUSE_VAR} is set (sqlite:///… or postgresql://…)")
    if warehouse is None:
        raise LakeConfigError(f"{WAREHOUSE_VAR}: required when {CATALOG_VAR} is set (a folder or s3://bucket/prefix)")
    location = _warehouse(warehouse.strip())
    secret = {name: SecretStr(value.strip()) for name, var in
              (("s3_access_key_id", "AWS_ACCESS_KEY_ID"), ("s3_secret_access_key", "AWS_SECRET_ACCESS_KEY"))
              if (value := get(var)) is not None}
    endpoint = get("AWS_ENDPOINT_URL_S3") or get("AWS_ENDPOINT_URL")
    if location.startswith("s3://") and endpoint is not None and not re.match(r"^https?://[^\s/]+", endpoint.strip()):
        raise LakeConfigError(f"AWS_ENDPOINT_URL: {endpoint!r} is not an http(s) URL")
    region = get("AWS_REGION") or get("AWS_DEFAULT_REGION")
    return LakeSettings(catalog_uri=_catalog_uri(catalog.strip()), warehouse=location,
                        s3_endpoint=endpoint.strip() if endpoint else None,
                        s3_region=region.strip() if region else None, **secret)
