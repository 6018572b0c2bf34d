"""The lake: Iceberg tables in a pyiceberg SQL catalog, written one window at a time.

A window (some ad accounts, optionally a date range or a set of dates) is replaced with one
`overwrite(rows, overwrite_filter=window)`: pyiceberg writes the new Parquet files first, then
commits one new snapshot by a compare-and-swap of the table's metadata location in the catalog.
A writer that dies before that swap leaves the table at its previous snapshot (its files are
orphans nobody reads). When another writer committed first, the swap fails: pyiceberg itself
refreshes and re-applies the commit on the newer snapshot when the other writer touched none of
our window (`commit.retry.*` table properties), and raises `ValidationException` when it did
(the same account and day replaced at once). Then, or when its own retries run out
(`CommitFailedException`), we reload the table and redo the whole overwrite, a bounded number of
times: the catalog's optimistic concurrency, not a lock of ours; the last writer of a window wins
with a whole window, never a mix. Tables are partitioned by `ad_account_id`, so writers of
different accounts never rewrite each other's files.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    TableAlreadyExistsError,
    ValidationException,
)
from pyiceberg.expressions import AlwaysTrue, And, BooleanExpression, GreaterThanOrEqual, In, LessThanOrEqual
from pyiceberg.table import Table, TableProperties
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from pipelines.errors import MmlensError
from pipelines.lake.config import LakeSettings

CATALOG_NAME = "mmlens"
ACCOUNT_COLUMN = "ad_account_id"
COMMIT_ATTEMPTS = 12
NAME_MAPPING = TableProperties.DEFAULT_NAME_MAPPING


class LakeCommitError(MmlensError):
    """A window could not be committed after every retry (other writers kept winning)."""


class WindowError(ValueError):
    """Rows given for a window lie outside it: replacing would not be idempotent."""


@dataclass(frozen=True)
class Window:
    """What one write replaces: the accounts' rows, within [since, until] or `dates` of `column`."""

    accounts: tuple[str, ...]
    column: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    dates: tuple[dt.date, ...] | None = None

    def expression(self) -> BooleanExpression:
        parts = [_is_in(ACCOUNT_COLUMN, self.accounts)]
        if self.column is not None and self.since is not None and self.until is not None:
            parts += _between(self.column, self.since, self.until)
        if self.column is not None and self.dates is not None:
            parts.append(_is_in(self.column, [d.isoformat() for d in self.dates]))
        return And(*parts) if len(parts) > 1 else parts[0]

    def check(self, rows: pa.Table) -> None:
        """WindowError unless every row lies inside the window."""
        inside = pc.is_in(rows[ACCOUNT_COLUMN], value_set=pa.array(self.accounts, pa.string()))
        if self.column is not None and self.since is not None and self.until is not None:
            day = rows[self.column]
            inside = pc.and_(inside, pc.and_(pc.greater_equal(day, pa.scalar(self.since)),
                                             pc.less_equal(day, pa.scalar(self.until))))
        if self.column is not None and self.dates is not None:
            inside = pc.and_(inside, pc.is_in(rows[self.column], value_set=pa.array(self.dates, pa.date32())))
        outside = rows.num_rows - pc.sum(pc.cast(pc.fill_null(inside, False), pa.int64())).as_py() if rows.num_rows else 0
        if outside:
            raise WindowError(f"{outside} of {rows.num_rows} rows lie outside the window being replaced")


def lake_schema(schema: pa.Schema) -> pa.Schema:
    """An Arrow schema as Iceberg stores it: timestamps with a zone in UTC microseconds, text as
    plain strings. Decimals, dates, integers and booleans pass as they are."""
    fields = []
    for field in schema:
        kind = field.type
        if pa.types.is_timestamp(kind):
            kind = pa.timestamp("us", tz="UTC" if kind.tz else None)
        elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind, nullable=True))
    return pa.schema(fields)


class LakeCatalogError(MmlensError):
    """The catalog database cannot be opened (down, refused, wrong credentials)."""


def _open_catalog(settings: LakeSettings) -> SqlCatalog:
    # Two processes opening a new catalog at once can both try to create its tables; the loser's
    # error is transient and the next open finds them.
    for attempt in range(5):
        try:
            return SqlCatalog(CATALOG_NAME, **settings.catalog_properties())
        except DBAPIError as error:
            if attempt == 4:
                # The driver's own first line (it names the host and user, never the password);
                # SQLAlchemy's text would add the statement and a link.
                reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
                raise LakeCatalogError(f"lake catalog: cannot be opened ({reason})") from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class Lake:
    """The Iceberg tables of one catalog. Identifiers are `schema.table`, as in DuckDB."""

    def __init__(self, settings: LakeSettings) -> None:
        self.settings = settings
        self.catalog = _open_catalog(settings)

    def ensure_table(self, identifier: str, schema: pa.Schema, partition: str = ACCOUNT_COLUMN) -> Table:
        """The table, created when it does not exist yet: partitioned by the values of `partition`
        (the ad account; an export table's file) when it has that column."""
        namespace = identifier.split(".", 1)[0]
        try:
            self.catalog.create_namespace_if_not_exists(namespace)
        except (NamespaceAlreadyExistsError, IntegrityError):  # created by another writer between check and create
            pass
        if self.catalog.table_exists(identifier):
            return self._with_columns(self.catalog.load_table(identifier), schema)
        try:
            with self.catalog.create_table_transaction(identifier, schema=lake_schema(schema)) as create:
                if partition in schema.names:
                    with create.update_spec() as spec:
                        spec.add_identity(partition)
        except (TableAlreadyExistsError, IntegrityError, CommitFailedException):
            # Created by another writer meanwhile: by the time of our insert (IntegrityError), or of
            # the catalog's check that the table does not exist yet ("Table already exists").
            pass
        return self._with_columns(self.catalog.load_table(identifier), schema)

    def _with_columns(self, table: Table, schema: pa.Schema) -> Table:
        """The table with every column of `schema`: a migration that added columns to the warehouse
        adds them to the lake's table too (its older rows read NULL there)."""
        for _ in range(COMMIT_ATTEMPTS):
            if set(schema.names) <= {field.name for field in table.schema().fields}:
                return table
            try:
                with table.update_schema() as update:
                    update.union_by_name(lake_schema(schema))
            except CommitFailedException:  # another writer changed the table first: look again
                pass
            table = self.catalog.load_table(".".join(table.name()))
        raise LakeCommitError(f"{'.'.join(table.name())}: new columns not committed after {COMMIT_ATTEMPTS} attempts")

    def replace(self, identifier: str, rows: pa.Table | pa.RecordBatchReader, window: Window | None) -> int:
        """Replace the window of the table (None: the whole table) with `rows` in one snapshot;
        returns the attempts it took."""
        if isinstance(rows, pa.RecordBatchReader):
            rows = rows.read_all()
        if window is not None:
            window.check(rows)
        rows = rows.cast(lake_schema(rows.schema))
        table = self.ensure_table(identifier, rows.schema)
        expression = AlwaysTrue() if window is None else window.expression()
        return self._committed(identifier, table, lambda t: t.overwrite(rows, overwrite_filter=expression))

    def replace_files(self, identifier: str, schema: pa.Schema, column: str, values: Sequence[str],
                      paths: Sequence[str]) -> int:
        """Replace the rows whose `column` is one of `values` (the table's partition column) with the
        Parquet data files at `paths`, already written (`pipelines/lake/datafiles.py`), in one commit;
        returns the attempts it took. The partitions replaced are dropped whole, never read: a
        retry after another writer's commit only redoes the metadata, not the data files."""

        def commit(table: Table) -> None:
            transaction = table.transaction()
            # add_files maps the files' columns by name: the mapping follows the current schema.
            mapping = transaction.table_metadata.schema().name_mapping.model_dump_json()
            if table.properties.get(NAME_MAPPING) != mapping:
                transaction.set_properties({NAME_MAPPING: mapping})
            transaction.delete(_is_in(column, values))
            if paths:
                transaction.add_files(list(paths), check_duplicate_files=False)
            transaction.commit_transaction()

        return self._committed(identifier, self.ensure_table(identifier, schema, partition=column), commit)

    def _committed(self, identifier: str, table: Table, commit: Callable[[Table], None]) -> int:
        """Run `commit` on the table until it lands; returns the attempts it took."""
        delay = 0.02
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            try:
                with warnings.catch_warnings():
                    # pyiceberg warns when the window held no rows yet (a first write): nothing is wrong.
                    warnings.filterwarnings("ignore", "Delete operation did not match any records")
                    commit(table)
                return attempt
            # OperationalError: the catalog database was busy ("database is locked" past SQLite's
            # wait) or the connection dropped; redoing a window's replacement is idempotent, so a
            # commit whose outcome is unknown is safe to redo too.
            except (CommitFailedException, ValidationException, OperationalError):
                if attempt == COMMIT_ATTEMPTS:
                    break
                # Jittered backoff so that writers that keep colliding spread out.
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 1.0)
                table = self.catalog.load_table(identifier)
        raise LakeCommitError(f"{identifier}: not committed after {COMMIT_ATTEMPTS} attempts "
                              "(other writers kept committing first)")

    def read(self, identifier: str, row_filter: BooleanExpression | None = None) -> pa.Table:
        """The table's rows at its current snapshot (all of them, or those matching `row_filter`)."""
        table = self.catalog.load_table(identifier)
        return table.scan(row_filter=row_filter if row_filter is not None else AlwaysTrue()).to_arrow()

    def tables(self) -> list[str]:
        """Every table's `schema.table`, sorted."""
        names = []
        for (namespace,) in self.catalog.list_namespaces():
            names += [".".join(ident) for ident in self.catalog.list_tables(namespace)]
        return sorted(names)

    def snapshot_id(self, identifier: str) -> int | None:
        snapshot = self.catalog.load_table(identifier).current_snapshot()
        return None if snapshot is None else snapshot.snapshot_id


# pyiceberg's predicates are pydantic models whose positional constructors mypy cannot see.
def _is_in(column: str, values: Sequence[str]) -> BooleanExpression:
    return In(column, set(values))  # type: ignore[call-arg, arg-type]


def _between(column: str, since: dt.date, until: dt.date) -> list[BooleanExpression]:
    return [GreaterThanOrEqual(column, since.isoformat()),  # type: ignore[call-arg, arg-type]
            LessThanOrEqual(column, until.isoformat())]  # type: ignore[call-arg, arg-type]
