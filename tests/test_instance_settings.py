"""Operator settings are the operator's: ``$DAGSTER_HOME/dagster.yaml`` is never overwritten.

The repo's ``dagster.yaml`` (SQLite) is the default for a home that has none, and the PostgreSQL
example (``deploy/dagster.postgres.yaml``) when ``DEFENCE_DAGSTER_PG_URL`` is set.
"""

import os

import dagster as dg
import pytest

from pipeline import paths
from pipeline.cli.instance import PG_URL_ENV, POSTGRES_CONFIG_FILE, prepare_dagster_home

OPERATORS = """# the operator's own settings
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 3
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    return tmp_path / "home"


def test_an_existing_dagster_yaml_is_never_overwritten(home, capsys):
    home.mkdir()
    (home / "dagster.yaml").write_text(OPERATORS)
    for _ in range(2):
        prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == OPERATORS
    assert os.environ["DAGSTER_HOME"] == str(home)
    assert capsys.readouterr().err == ""
    with dg.DagsterInstance.get() as instance:
        assert instance.run_coordinator.get_run_queue_config().max_concurrent_runs == 3


def test_a_new_home_gets_the_repos_sqlite_settings(home):
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_bytes() == paths.DAGSTER_CONFIG_FILE.read_bytes()


def test_a_new_home_gets_the_postgres_settings_when_its_url_is_set(home, monkeypatch):
    monkeypatch.setenv(PG_URL_ENV, "postgresql://defence:secret@db.example:5432/dagster")
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_bytes() == POSTGRES_CONFIG_FILE.read_bytes()
    # SQLAlchemy 2.1 would read the bare scheme as psycopg 3; dagster-postgres ships psycopg2.
    assert os.environ[PG_URL_ENV] == "postgresql+psycopg2://defence:secret@db.example:5432/dagster"


def test_a_url_the_home_does_not_use_is_reported_not_imposed(home, monkeypatch, capsys):
    home.mkdir()
    (home / "dagster.yaml").write_text(OPERATORS)
    monkeypatch.setenv(PG_URL_ENV, "postgresql+psycopg2://defence@127.0.0.1/dagster")
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == OPERATORS
    assert f"warning: {PG_URL_ENV} is set but" in capsys.readouterr().err
