"""The daemon's path, on a day NATO's files change: the real definitions, a real instance, the
run queue, the default launcher, and an incremental load.

Deployed as docs/deploy.md says: ``python -m pipeline code-server`` serves the definitions, and
``python -m pipeline daemon`` loads them from it (a ``grpc_server`` workspace), on a new
``DAGSTER_HOME`` (the repo's ``dagster.yaml``: SQLite, a run queue of one). The warehouse folder is
yesterday's (a copy of the session's real run); today's ``data/raw`` differs in NATO's files (its
July 2026 edition taken out). Nothing is launched by hand: the ``new_release_files`` sensor sees
inputs that the published warehouse was not built from, requests a run, the daemon's queue
launches it through Dagster's ``DefaultRunLauncher`` (a process of its own, the code server's
child), and that run takes the same steps as ``python -m pipeline run`` (lock, verify, parse,
gates, dbt, checks, publish). Only the changed source is parsed and gated again: SIPRI's and the
WEO's validated raw tables are reused (per-source fingerprints). The test checks the published
file, the run's record and log, and that the daemon started no code server of its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
from pathlib import Path
from unittest import mock

import dagster as dg
import duckdb
import pytest

from pipeline import paths
from pipeline.defs import REFRESH_JOB, RELEASE_SENSOR
from pipeline.warehouse.fingerprint import snapshot
from tests.pg_server import free_port
from tests.processes import descendants, start, stop_and_audit, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _runs(home) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return _refresh_runs(instance)


def _refresh_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(dg.RunsFilter(job_name=REFRESH_JOB)))


def _finished(instance: dg.DagsterInstance) -> dg.DagsterRun | None:
    done = [r for r in _refresh_runs(instance) if r.is_finished]
    return done[0] if done else None


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _run_log(home, run_id: str) -> str:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return "\n".join(entry.user_message for entry in instance.all_logs(run_id))


@pytest.mark.sipri
def test_a_change_to_nato_is_loaded_by_the_daemons_run_reparsing_only_nato(end_to_end, tmp_path):
    home, warehouse, raw = tmp_path / "dagster_home", tmp_path / "warehouse", tmp_path / "raw"
    shutil.copytree(end_to_end.published.parent, warehouse, ignore=shutil.ignore_patterns("*.lock"))
    shutil.copytree(paths.raw_dir(), raw, ignore=shutil.ignore_patterns(".*"))
    shutil.rmtree(raw / "nato" / "2026-07-10")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DEFENCE_WAREHOUSE_DIR": str(warehouse),
        "DEFENCE_RAW_DIR": str(raw),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    env.pop("DEFENCE_DAGSTER_PG_URL", None)
    # The home exists, as an operator's does, before the daemon starts: the test reads it while
    # the daemon works, and two processes creating a new home's SQLite schemas at once race.
    home.mkdir()
    shutil.copyfile(paths.DAGSTER_CONFIG_FILE, home / "dagster.yaml")
    _runs(home)
    port = free_port()
    workspace = tmp_path / "workspace.yaml"
    shipped = (paths.PROJECT_ROOT / "deploy" / "workspace.grpc.yaml").read_text()
    workspace.write_text(shipped.replace("4266", str(port)))
    server = start(["code-server", "--port", str(port)], env, tmp_path / "code_server.log")
    log = tmp_path / "daemon.log"
    daemon = None
    try:
        wait_until(lambda: _listening(port), 180, "the code server", server)
        daemon = start(["daemon", "--workspace", str(workspace)], env, log)
        with dg.DagsterInstance.from_config(str(home)) as instance:  # one, polled
            run = wait_until(lambda: _finished(instance), 400, "the sensor's run to finish", daemon)
        spawned = [p for p in descendants(daemon.pid) if b"grpc" in _cmdline(p)]
    finally:
        if daemon is not None:
            stop_and_audit(daemon, signal.SIGTERM, within_s=30)
        stop_and_audit(server, signal.SIGTERM, within_s=30)
    assert spawned == []  # the daemon loaded the definitions from the code server
    assert run.status == dg.DagsterRunStatus.SUCCESS, log.read_text()[-4000:]
    assert run.tags["trigger"] == RELEASE_SENSOR
    assert run.remote_job_origin is not None  # launched from the code location, not in-process
    assert len(_runs(home)) == 1  # one change, one run

    log = _run_log(home, run.run_id)
    assert "sipri unchanged since its validated load: reused" in log
    assert "imf_weo unchanged since its validated load: reused" in log
    assert "nato unchanged" not in log and "parsed nato:" in log

    published = warehouse / paths.PUBLISHED_DB_NAME
    with duckdb.connect(str(published), read_only=True) as con:
        met_2014 = con.sql(
            "select list(country_code order by country_code) from marts.fct_target_status "
            "where year = 2014 and meets_2pct"
        ).fetchone()[0]
        latest = con.sql("select release_id from marts.dim_release where is_latest").fetchall()
        # The August 2025 edition prints no constant-price GDP: no money path, said as NULL.
        money = con.sql(
            "select count(*), count(projected_gdp_usd_const_m) from marts.fct_spending_path_2035"
        ).fetchone()
        fingerprint = con.sql("select fingerprint from meta.build_info").fetchone()[0]
    assert met_2014 == ["GBR", "GRC", "USA"]
    assert sorted(latest) == [("imf_weo_2026-04-14",), ("nato_2025-08-28",), ("sipri_2026-04-27",)]
    assert money[0] > 0 and money[1] == 0
    # What "up to date" compares next time: the inputs the run was launched for.
    with mock.patch.dict(os.environ, {"DEFENCE_RAW_DIR": str(raw)}):
        assert fingerprint == snapshot().fingerprint
