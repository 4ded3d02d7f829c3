"""The daemon's path: the real definitions, a real instance, the run queue, the default launcher.

``python -m pipeline daemon`` is started on a new ``DAGSTER_HOME`` (the repo's ``dagster.yaml``:
SQLite, a run queue of one) and an empty warehouse folder. Nothing is launched by hand: the
``new_release_files`` sensor sees that nothing is published, requests a run, the daemon's queue
launches it through Dagster's ``DefaultRunLauncher`` in a process of its own, and that run takes
the same steps as ``python -m pipeline run`` (lock, verify, parse, gates, dbt, checks, publish).
The test checks the published file and the run's record; a second tick then skips, up to date.
"""

from __future__ import annotations

import os
import shutil
import signal

import dagster as dg
import duckdb
import pytest

from pipeline import paths
from pipeline.defs import REFRESH_JOB, RELEASE_SENSOR
from pipeline.warehouse.fingerprint import snapshot
from tests.processes import start, stop_and_audit, wait_until

pytestmark = pytest.mark.e2e


def _runs(home) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs(dg.RunsFilter(job_name=REFRESH_JOB)))


def _finished(home) -> dg.DagsterRun | None:
    runs = _runs(home)
    done = [r for r in runs if r.is_finished]
    return done[0] if done else None


def test_a_run_the_daemon_launches_from_the_sensor_publishes_the_warehouse(tmp_path):
    home, warehouse = tmp_path / "dagster_home", tmp_path / "warehouse"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DEFENCE_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    env.pop("DEFENCE_DAGSTER_PG_URL", None)
    # The home exists, as an operator's does, before the daemon starts: the test reads it while
    # the daemon works, and two processes creating a new home's SQLite schemas at once race.
    home.mkdir()
    shutil.copyfile(paths.DAGSTER_CONFIG_FILE, home / "dagster.yaml")
    _runs(home)
    log = tmp_path / "daemon.log"
    daemon = start(["daemon"], env, log)
    try:
        run = wait_until(lambda: _finished(home), 400, "the sensor's run to finish", daemon)
    finally:
        stop_and_audit(daemon, signal.SIGTERM, within_s=30)
    assert run.status == dg.DagsterRunStatus.SUCCESS, log.read_text()[-4000:]
    assert run.tags["trigger"] == RELEASE_SENSOR
    assert run.remote_job_origin is not None  # launched from the code location, not in-process
    assert len(_runs(home)) == 1  # one change, one run

    published = warehouse / paths.PUBLISHED_DB_NAME
    with duckdb.connect(str(published), read_only=True) as con:
        met_2014 = con.sql(
            "select list(country_code order by country_code) from marts.fct_target_status "
            "where year = 2014 and meets_2pct"
        ).fetchone()[0]
        fingerprint = con.sql("select fingerprint from meta.build_info").fetchone()[0]
    assert met_2014 == ["GBR", "GRC", "USA"]

    assert fingerprint == snapshot().fingerprint  # what "up to date" compares next time
