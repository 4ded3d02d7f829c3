"""How values reach the Dagster definitions: resources and run config, never the environment.

``python -m pipeline run`` hands the job ``--wait`` (the ``warehouse_lock`` resource's ``wait_s``);
a run launched from the UI or the daemon passes nothing and gets the defaults. The lock resource
hashes the inputs once the lock is held. Importing the dbt module spawns no dbt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from pipeline import paths
from pipeline.defs import REFRESH_JOB
from pipeline.defs.automation import CRON_ENV, DEFAULT_CRON, build_automation
from pipeline.defs.dbt_project import DBT_PROJECT
from pipeline.defs.publish import write_build_info
from pipeline.defs.resources import WarehouseLock, lock_run_config
from pipeline.warehouse import fingerprint
from pipeline.warehouse.lock import WarehouseBusyError, write_lock


@pytest.fixture(scope="module")
def refresh_job():
    from pipeline.definitions import defs

    return defs.resolve_job_def(REFRESH_JOB)


def test_the_cli_run_config_fits_the_refresh_job(refresh_job):
    config = lock_run_config(12.5)
    assert config["resources"]["warehouse_lock"]["config"]["wait_s"] == 12.5
    dg.validate_run_config(refresh_job, config)


def test_a_run_without_config_is_valid_for_the_ui_and_the_daemon(refresh_job):
    resolved = dg.validate_run_config(refresh_job, {})
    assert resolved["resources"]["warehouse_lock"]["config"]["wait_s"] == 0.0


def test_the_lock_resource_fails_at_once_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path))
    with (
        write_lock(tmp_path),
        pytest.raises(dg.DagsterResourceFunctionError) as raised,
        dg.build_resources({"warehouse_lock": WarehouseLock()}),
    ):
        pass
    assert isinstance(raised.value.__cause__, WarehouseBusyError)
    assert "another pipeline run is writing the warehouse" in str(raised.value.__cause__)


def test_the_lock_resource_waits_wait_s_for_another_run(tmp_path, monkeypatch):
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path))
    held, release = threading.Event(), threading.Event()

    def other_run():
        with write_lock(tmp_path):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with dg.build_resources({"warehouse_lock": WarehouseLock(wait_s=10)}) as resources:
        assert resources.warehouse_lock.wait_s == 10
        # Hashed once the lock is held: every step of the run reads the same inputs.
        assert resources.warehouse_lock.inputs.fingerprint == fingerprint.snapshot().fingerprint
    thread.join()
    assert 0.2 < time.monotonic() - started < 5


def _recorded(build_db) -> str:
    import duckdb

    with duckdb.connect(str(build_db), read_only=True) as con:
        return con.execute("select fingerprint from meta.build_info").fetchone()[0]


def test_publish_records_the_fingerprint_of_the_runs_inputs(tmp_path):
    build_db = tmp_path / paths.BUILD_DB_NAME
    write_build_info(build_db, "hashed-when-the-lock-was-taken")
    assert _recorded(build_db) == "hashed-when-the-lock-was-taken"


def test_the_schedule_reads_its_cron_when_built(monkeypatch):
    monkeypatch.delenv(CRON_ENV, raising=False)
    assert build_automation(REFRESH_JOB)[0].cron_schedule == DEFAULT_CRON
    monkeypatch.setenv(CRON_ENV, "30 5 * * 1")
    assert build_automation(REFRESH_JOB)[0].cron_schedule == "30 5 * * 1"
    assert build_automation(REFRESH_JOB, cron="0 7 * * *")[0].cron_schedule == "0 7 * * *"


def test_importing_the_dbt_module_runs_no_dbt_even_with_a_stale_manifest():
    """Only prepare_manifest parses; the import itself starts no process. The manifest is made
    stale in the child alone: aging the project's own file would have every other process of the
    test session that prepares meanwhile parse the project again."""
    guard = (
        "import subprocess\n"
        "popen = subprocess.Popen\n"
        "def guarded(args, *rest, **kwargs):\n"
        "    if 'dbt' in str(args): raise SystemExit(f'spawned {args!r}')\n"
        "    return popen(args, *rest, **kwargs)\n"
        "subprocess.Popen = guarded\n"
        "from pipeline.warehouse import dbt_manifest\n"
        "dbt_manifest.manifest_is_stale = lambda: True\n"
        "from pipeline.defs import dbt_project\n"
        "assert dbt_project.manifest_is_stale()\n"
        "print('no dbt')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", guard], cwd=paths.PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and "no dbt" in done.stdout, done.stderr[-2000:]


def test_the_dbt_executable_is_the_dbt_core_beside_this_interpreter():
    """dagster-dbt's resource runs the dbt installed in the project's virtualenv (a run works
    without activating it), which is the pinned dbt Core."""
    from pipeline.defs.dbt_project import DBT_EXECUTABLE

    shebang = Path(DBT_EXECUTABLE).read_text().splitlines()[0].removeprefix("#!").strip()
    assert os.path.realpath(shebang) == os.path.realpath(sys.executable)


def test_the_manifest_path_is_the_one_dagster_dbt_reads():
    """pipeline/warehouse/dbt_manifest.py reads the manifest without dagster-dbt; both must name
    the same file, or the GX suites would read another project's grains."""
    from pipeline.warehouse.dbt_manifest import MANIFEST_PATH

    assert Path(DBT_PROJECT.manifest_path) == MANIFEST_PATH


def test_dbt_runs_in_the_warehouse_folder_with_its_paths_kept(tmp_path):
    """``dbt-in-run`` starts dbt in the warehouse folder with the warehouse named ``.`` (so the
    profile, and with it dbt's saved parse state, is the same for every warehouse); dbt's folder
    settings given relative to where dagster-dbt started it still name the same folders."""
    from pipeline.cli.dbt_child import in_warehouse_folder

    project = Path("/srv/project/dbt_project")
    env = in_warehouse_folder(
        {
            "DBT_TARGET_PATH": "target",
            "DBT_LOG_PATH": "/tmp/wh/dbt_target",
            "DBT_PROFILES_DIR": "/srv/project/dbt_project",
            "DEFENCE_WAREHOUSE_DIR": "/tmp/wh",
            "PATH": "/usr/bin",
        },
        project,
    )
    assert env == {
        "DBT_TARGET_PATH": "/srv/project/dbt_project/target",
        "DBT_LOG_PATH": "/tmp/wh/dbt_target",
        "DBT_PROFILES_DIR": "/srv/project/dbt_project",
        "DBT_PROJECT_DIR": "/srv/project/dbt_project",
        "DEFENCE_WAREHOUSE_DIR": ".",
        "PATH": "/usr/bin",
    }
    # Started by hand in the project, as dbt would be: it still finds the project and its profile.
    (tmp_path / "profiles.yml").touch()
    assert in_warehouse_folder({}, tmp_path) == {
        "DBT_PROJECT_DIR": str(tmp_path),
        "DBT_PROFILES_DIR": str(tmp_path),
        "DEFENCE_WAREHOUSE_DIR": ".",
    }
