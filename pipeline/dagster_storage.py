"""Dagster's SQLite storage for a run from the shell, with its event log's engines kept.

Dagster's ``SqliteEventLogStorage`` creates a new SQLAlchemy engine, with no connection pool, for
every statement it runs: a run of this project writes about 350 events, two or three statements
each, and the SQLite files were opened and their dialect set up again each time (2.3 s of a run,
6.7 ms an event, measured; 0.8 s with the engines kept). :class:`PooledSqliteStorage` is
Dagster's own SQLite storage, same files and same schema, whose event log keeps one engine per
database file for the life of the process: the index, and the most recent runs' files
(``MAX_RUN_ENGINES``, so that a process that reads many runs does not hold a file open for each).
Nothing else changes: the same tables, the same WAL journal, the same locking between processes
(a pooled connection between two transactions holds no lock).

``python -m pipeline run`` opens its home's Dagster SQLite storage as this class
(:func:`pipeline.instance.run_instance`), without changing the home's ``dagster.yaml``: the UI
and the daemon read the same files with Dagster's own class. A server on PostgreSQL
(deploy/dagster.postgres.yaml) keeps its storage, which pools its connections already.

It relies on three internals of the pinned Dagster (requirements.lock): the event log's
``_connect(shard)`` context manager, ``_initdb`` with ``_initialized_dbs``, and ``_db_lock``;
``tests/test_dagster_storage.py`` fails when they change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._config import StringSource
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from sqlalchemy.engine import Connection, Engine

MAX_RUN_ENGINES = 4  # run files kept open besides the index (a run writes to one at a time)


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that makes each database file's engine once, not per statement."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.RLock()
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _engine(self, shard: str) -> Engine:
        """The shard's engine: made, and its file initialised as Dagster does, the first time;
        the least recently used run file's is closed past ``MAX_RUN_ENGINES``."""
        with self._engines_lock:
            return self._engine_locked(shard)

    def _engine_locked(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[: max(0, len(runs) - MAX_RUN_ENGINES)]:
            self._engines.pop(name).dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Asked for every asset-check event (whether the index has the checks' table). Like
        Dagster's, it does not take ``_db_lock``, so it may be asked inside a connection."""
        with self._engine(INDEX_SHARD_NAME).connect() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    def _close_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # the run files are deleted: no engine may keep one open
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


class PooledSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event log, schedules under ``base_dir``) with
    :class:`PooledSqliteEventLogStorage` as its event log."""

    def __init__(self, base_dir: str, inst_data=None):
        # DagsterSqliteStorage.__init__, with the pooled event log in place of its own.
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def config_type(cls):
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
