"""Dagster's SQLite instance storage, writing each batch of events in one transaction per database.

A run records one ASSET_MATERIALIZATION_PLANNED event per asset and partition before its first
step (128 for a 7-day run of `daily_job`), and a partitioned step one materialization per
partition. Dagster hands these over as batches (`store_event_batch`) when the environment sets
DAGSTER_EVENT_BATCH_SIZE, but its SQLite event log stores a batch event by event: for each, a new
engine, connection and commit on the run's database and again on the cross-run index, and a
check that the tags table exists (another connection). On a busy disk each of those costs around
ten milliseconds, which made the planned events alone take seconds.

`BatchingSqliteStorage` is Dagster's own `DagsterSqliteStorage` (the same files under
DAGSTER_HOME, the same tables and rows, so `dagster dev` and existing run history read it as
before) with an event log that opens each database once per batch and commits once, and that
remembers which tables exist. Single events are stored exactly as Dagster stores them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import yaml
from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

# Dagster groups events into batches only when this is set; larger than any run's planned events.
EVENT_BATCH_SIZE = "10000"


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose `store_event_batch` writes the batch in one transaction per shard."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        # Set first: the parent's __init__ already connects (it creates the index shard).
        self._batch = threading.local()  # the connections held by the batch this thread is writing
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def has_table(self, table_name: str) -> bool:
        # Asked for every asset event; a table, once there, stays (migrations only add tables).
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    @contextmanager
    def _open(self, shard: str) -> Iterator[Connection]:
        """One connection with a begun transaction, as `SqliteEventLogStorage._connect` opens it."""
        engine = create_engine(
            self.conn_string_for_shard(shard), poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        try:
            with engine.connect() as conn, conn.begin():
                yield conn
        finally:
            engine.dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        held: dict[str, Connection] | None = getattr(self._batch, "connections", None)
        if held is None:
            with super()._connect(shard) as conn:
                yield conn
        elif shard in held:
            yield held[shard]
        else:  # a shard the batch did not expect: its own connection (the batch holds the lock)
            with self._open(shard) as conn:
                yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        shards = sorted({event.run_id for event in events}) + [INDEX_SHARD_NAME]
        # The lock `_connect` takes per connection is held for the whole batch, so other threads
        # wait for it as they would for a single event; commits happen when the stack closes.
        with self._db_lock, ExitStack() as stack:
            self._batch.connections = {shard: stack.enter_context(self._open(shard)) for shard in shards}
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._batch.connections = None


class BatchingSqliteStorage(DagsterSqliteStorage):
    """`DagsterSqliteStorage` (runs, event log, schedules under `base_dir`) with the batching event log."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        # DagsterSqliteStorage.__init__, with the event log swapped before anything opens it.
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = BatchingSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)
        # Every process that opens this instance (CLI, `dagster dev`, run workers) batches.
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> BatchingSqliteStorage:
        return cls.from_local(config_value["base_dir"], inst_data=inst_data)


class MmlensInstance(DagsterInstance):
    """The Dagster instance of `dagster.yaml` (`instance_class`): Dagster's defaults, with the
    storage above in place of `DagsterSqliteStorage` under the same DAGSTER_HOME. An instance
    class rather than `storage: custom`, because only the instance's defaults know the home
    directory when it is opened by path (`DagsterInstance.from_config`) without DAGSTER_HOME set."""

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> dict[str, Any]:
        defaults = dict(InstanceRef.config_defaults(base_dir))
        defaults["storage"] = ConfigurableClassData(
            __name__, BatchingSqliteStorage.__name__, yaml.dump({"base_dir": base_dir}, default_flow_style=False)
        )
        return defaults
