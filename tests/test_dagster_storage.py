"""The laptop's Dagster storage (pipeline/dagster_storage.py): Dagster's own SQLite files, with
the event log's engines kept for the life of the process instead of made per statement."""

import dagster as dg
import pytest
import sqlalchemy as db

from pipeline import dagster_storage
from pipeline.dagster_storage import (
    MAX_RUN_ENGINES,
    PooledSqliteEventLogStorage,
    PooledSqliteStorage,
)
from pipeline.instance import (
    PG_URL_ENV,
    POSTGRES_CONFIG_FILE,
    pooled_sqlite,
    prepare_dagster_home,
    run_instance,
)


@dg.asset
def figure() -> int:
    return 2


@dg.asset_check(asset=figure)
def figure_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    prepare_dagster_home()
    return tmp_path / "home"


@pytest.fixture
def engines_made(monkeypatch) -> list[str]:
    """Every SQLAlchemy engine the pooled event log makes, by URL."""
    made: list[str] = []
    create = db.create_engine

    def counted(url, *args, **kwargs):
        made.append(str(url))
        return create(url, *args, **kwargs)

    monkeypatch.setattr(dagster_storage.db, "create_engine", counted)
    return made


def test_a_run_opens_the_home_with_the_pooled_storage_and_makes_each_engine_once(
    home, engines_made
):
    with run_instance() as instance:
        assert isinstance(instance.get_ref().storage_data.rehydrate(), PooledSqliteStorage)
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        runs = [dg.materialize([figure, figure_is_positive], instance=instance) for _ in range(2)]
    assert all(run.success for run in runs)
    # Two runs of 20-odd events each: one engine for the index and one for each run's file
    # (Dagster's own event log made two or three per event).
    files = [url.rsplit("/", 1)[-1] for url in engines_made]
    assert sorted(files) == sorted(["index.db", *(f"{run.run_id}.db" for run in runs)])


def test_what_it_writes_is_read_by_dagsters_own_sqlite_storage(home):
    with dg.DagsterInstance.get() as instance:
        run_id = dg.materialize([figure, figure_is_positive], instance=instance).run_id
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
    )  # Dagster's default storage
    with dg.DagsterInstance.get() as plain:
        assert not isinstance(plain.event_log_storage, PooledSqliteEventLogStorage)
        assert plain.get_run_by_id(run_id).is_success
        latest = plain.get_latest_materialization_event(figure.key)
        assert latest is not None and latest.run_id == run_id
        check = plain.event_log_storage.get_latest_asset_check_execution_by_key(
            [figure_is_positive.check_key]
        )[figure_is_positive.check_key]
        assert check.run_id == run_id
        types = {e.dagster_event.event_type for e in plain.all_logs(run_id) if e.is_dagster_event}
        assert dg.DagsterEventType.STEP_SUCCESS in types


def test_run_files_beyond_the_limit_are_closed_and_wipe_closes_all(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    runs = [f"run{i}" for i in range(MAX_RUN_ENGINES + 3)]
    for run_id in runs:
        with storage.run_connection(run_id) as conn:
            conn.execute(db.text("select 1"))
    with storage.index_connection() as conn:
        conn.execute(db.text("select 1"))
    kept = list(storage._engines)
    assert kept == [*runs[-MAX_RUN_ENGINES:], "index"]  # the most recent runs, and the index
    assert storage.has_table("event_logs")
    storage.wipe()
    assert list(storage._engines) in ([], ["index"])  # wiping the index opens it again
    assert sorted(p.name for p in (tmp_path / "runs").glob("*.db")) == ["index.db"]
    storage.dispose()


def test_only_dagsters_sqlite_storage_is_replaced(tmp_path):
    from dagster._core.instance.ref import InstanceRef

    sqlite_home = tmp_path / "sqlite"
    sqlite_home.mkdir()
    (sqlite_home / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n"
    )
    pooled = pooled_sqlite(InstanceRef.from_dir(str(sqlite_home))).storage_data
    assert (pooled.module_name, pooled.class_name) == (
        "pipeline.dagster_storage",
        "PooledSqliteStorage",
    )
    assert str(tmp_path / "elsewhere") in pooled.config_yaml  # the operator's base_dir, kept

    pg_home = tmp_path / "pg"
    pg_home.mkdir()
    (pg_home / "dagster.yaml").write_text(POSTGRES_CONFIG_FILE.read_text())
    ref = InstanceRef.from_dir(str(pg_home))
    assert pooled_sqlite(ref) is ref
