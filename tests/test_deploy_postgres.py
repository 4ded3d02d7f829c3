"""Production mode against a real PostgreSQL: the daemon, the webserver, restarts, the run queue.

The instance is the shipped ``deploy/dagster.postgres.yaml``, chosen by ``python -m pipeline
daemon|webserver`` because ``DEFENCE_DAGSTER_PG_URL`` is set and the new home has no dagster.yaml.
The daemon loads tests/deploy_location.py (a sensor, a one-second job that holds the real
warehouse write lock, and the project's failure alert) rather than the real definitions, whose
refresh takes more than a minute; the webserver loads the real ``workspace.yaml``.
The PostgreSQL server is started by the tests (tests/pg_server.py); outside CI, without the
server binaries, the module is skipped. The test is one story, in order: its second part
restarts what the first set up.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from unittest import mock

import dagster as dg
import pytest

from pipeline import paths
from tests import deploy_location
from tests.pg_server import free_port, running_postgres
from tests.processes import (
    graphql,
    http_ok,
    session_processes,
    start,
    stop_and_audit,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

JOB = "tiny_refresh"


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, webhook):
    """An empty DAGSTER_HOME, the PostgreSQL URL and the test location's folders."""
    with running_postgres() as url:
        tmp = tmp_path_factory.mktemp("deploy")
        requests = tmp / "requests"
        requests.mkdir()
        workspace = tmp / "workspace.yaml"
        workspace.write_text(
            "load_from:\n  - python_file:\n"
            f"      relative_path: {deploy_location.__file__}\n"
            f"      working_directory: {paths.PROJECT_ROOT}\n"
        )
        env = {
            **os.environ,
            "DAGSTER_HOME": str(tmp / "dagster_home"),
            "DEFENCE_DAGSTER_PG_URL": url,
            "DEFENCE_WAREHOUSE_DIR": str(tmp / "warehouse"),
            "DEFENCE_TEST_REQUESTS": str(requests),
            "DEFENCE_TEST_RUN_LOG": str(tmp / "runs.log"),
            "DEFENCE_ALERT_WEBHOOK_URL": webhook[0],
        }
        yield tmp, env, workspace


@contextlib.contextmanager
def _instance(env) -> Iterator[dg.DagsterInstance]:
    """The deployment's instance, as a monitoring script on the server would open it."""
    with mock.patch.dict(os.environ, {"DEFENCE_DAGSTER_PG_URL": env["DEFENCE_DAGSTER_PG_URL"]}):
        instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    with instance:
        yield instance


def _runs(instance: dg.DagsterInstance) -> dict[str, dg.DagsterRun]:
    return {r.tags["request"]: r for r in instance.get_runs(dg.RunsFilter(job_name=JOB))}


def _status(instance: dg.DagsterInstance, request: str) -> str | None:
    run = _runs(instance).get(request)
    return run.status.value if run is not None else None


def _sensor_cursor(instance: dg.DagsterInstance) -> str | None:
    for state in instance.all_instigator_state():
        if state.name == "request_files":
            return state.instigator_data.cursor
    return None


def _intervals(log_text: str) -> dict[str, list[float]]:
    seen: dict[str, list[float]] = {}
    for line in log_text.splitlines():
        kind, request, stamp = line.split()
        seen.setdefault(request, []).append(float(stamp))
    return seen


def test_the_daemon_on_postgres_queues_runs_and_survives_restarts_and_power_cuts(
    deployment, webhook
):
    """One story, in order (one test, so that no scheduler can split it between workers): the
    sensor's runs one at a time, a power cut while a third runs, then the webserver and a new
    daemon on what PostgreSQL kept, and a failure alert."""
    _sensor_requests_run_one_at_a_time_until_a_power_cut(deployment)
    _history_and_cursors_survive_the_cut_and_failures_are_posted(deployment, webhook)


def _sensor_requests_run_one_at_a_time_until_a_power_cut(deployment) -> None:
    tmp, env, workspace = deployment
    for name in ("a", "b"):
        (tmp / "requests" / name).touch()
    daemon = start(["daemon", "--workspace", str(workspace)], env, tmp / "daemon1.log")
    try:
        config = tmp / "dagster_home" / "dagster.yaml"
        wait_until(config.exists, 30, "the daemon to prepare DAGSTER_HOME", daemon)
        assert "DEFENCE_DAGSTER_PG_URL" in config.read_text()
        seen = set()
        with _instance(env) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            wait_until(lambda: len(_runs(instance)) == 2, 90, "the sensor's two runs", daemon)
            done = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE}
            while True:
                runs = _runs(instance)
                if {r.status for r in runs.values()} <= done:
                    break
                seen.add(tuple(sorted(r.status.value for r in runs.values())))
                assert daemon.poll() is None, (tmp / "daemon1.log").read_text()[-3000:]
                time.sleep(0.2)
            assert {r.status.value for r in runs.values()} == {"SUCCESS"}, runs
            # The machine loses power while a third run works: every process dies at once
            # (SIGKILL), and the run is left "started" in PostgreSQL, holding the queue's slot.
            (tmp / "requests" / "c").touch()
            wait_until(lambda: _status(instance, "c") == "STARTED", 90, "run c to start", daemon)
    finally:
        _power_cut(daemon.pid)
        daemon.wait()
    with _instance(env) as instance:
        assert _status(instance, "c") == "STARTED"
    # The second run waited in the queue while the first ran; never both in progress.
    assert ("QUEUED", "STARTED") in seen, seen
    assert ("STARTED", "STARTED") not in seen, seen
    spans = _intervals((tmp / "runs.log").read_text())
    first, second = sorted([spans["a"], spans["b"]])  # [start, end] each
    assert len(first) == len(second) == 2 and first[1] <= second[0], spans


def _power_cut(session_id: int) -> None:
    """SIGKILL every process of the session, again until none is left: one being started while
    the first kills land (the run's step process, say) must not survive to finish the run."""
    deadline = time.monotonic() + 10
    while (alive := session_processes(session_id)) and time.monotonic() < deadline:
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    assert not session_processes(session_id), "a process survived the power cut"


LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _real_location_loaded(port: int) -> bool:
    entries = graphql(port, LOCATIONS)["workspaceOrError"]["locationEntries"]
    assert len(entries) == 1
    loaded = entries[0]["locationOrLoadError"]
    assert loaded is None or loaded["__typename"] != "PythonError", loaded["message"]
    return entries[0]["loadStatus"] == "LOADED" and loaded is not None


def _history_and_cursors_survive_the_cut_and_failures_are_posted(deployment, webhook) -> None:
    tmp, env, workspace = deployment
    with _instance(env) as instance:
        runs = _runs(instance)
        history = {name: runs[name].run_id for name in ("a", "b")}
        assert _sensor_cursor(instance) == "a,b,c"
    assert set(runs) == {"a", "b", "c"}, "runs of the first part"
    port = free_port()
    # The webserver on the repo's workspace.yaml (the real definitions), after the daemon that
    # ran them has died: it shows their history from PostgreSQL. It is stopped as systemd
    # stops it; tests/test_lifecycle.py proves the supervisor's other stop signals.
    web = start(["webserver", "--port", str(port)], env, tmp / "webserver.log")
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/server_info"), 90, "UI", web)
        data = graphql(port, "{ runsOrError { ... on Runs { results { runId status } } } }")
        shown = {r["runId"]: r["status"] for r in data["runsOrError"]["results"]}
        assert shown == {
            **{run_id: "SUCCESS" for run_id in history.values()},
            runs["c"].run_id: "STARTED",
        }
        wait_until(lambda: _real_location_loaded(port), 120, "the definitions", web)
    finally:
        took = stop_and_audit(web, signal.SIGTERM, within_s=10)
    print(f"webserver stopped in {took:.1f} s")

    # The next daemon marks it failed (and alerts), so the queue moves: the new request runs.
    (tmp / "requests" / "fail-bad-workbook").touch()
    daemon = start(["daemon", "--workspace", str(workspace)], env, tmp / "daemon2.log")
    try:
        with _instance(env) as instance:
            wait_until(
                lambda: _status(instance, "fail-bad-workbook") == "FAILURE", 90, "the run", daemon
            )
        wait_until(lambda: len(webhook[1]) == 2, 60, "two failure alerts", daemon)
    finally:
        took = stop_and_audit(daemon, signal.SIGTERM, within_s=10)
    print(f"daemon stopped in {took:.1f} s")
    with _instance(env) as instance:
        runs = _runs(instance)
        assert _sensor_cursor(instance) == "a,b,c,fail-bad-workbook"
    assert {name: runs[name].run_id for name in ("a", "b")} == history  # not run again
    assert runs["c"].status == dg.DagsterRunStatus.FAILURE
    alerts = {alert["run_id"]: alert for alert in webhook[1]}
    assert "worker stopped with the Dagster daemon" in alerts[runs["c"].run_id]["error"]
    alert = alerts[runs["fail-bad-workbook"].run_id]
    assert alert["job"] == JOB and alert["time"].endswith("+00:00")
    assert alert["error"].startswith(
        "step write_warehouse failed: pipeline.sources.workbook.WorkbookLayoutError: staged.xlsx:"
    )
    assert "caused by: zipfile.BadZipFile: File is not a zip file" in alert["error"]
    assert runs["fail-bad-workbook"].run_id in alert["text"]
