"""A service manager's stop leaves nothing behind: ``python -m pipeline ui`` and its children.

``ui`` starts ``dagster dev``, which starts a webserver, a daemon and code servers (and a run, when
the daemon's sensor fires). SIGTERM or SIGINT to the CLI process alone, as systemd or a terminal
sends it, must stop all of them within seconds. The production services (``webserver``,
``daemon``) run under the same supervisor; tests/test_deploy_postgres.py stops those.
"""

from __future__ import annotations

import os
import signal

import pytest

from pipeline.cli import main as cli
from pipeline.cli import service
from tests.pg_server import free_port
from tests.processes import http_ok, start, stop_and_audit, wait_until

pytestmark = pytest.mark.lifecycle


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_ui_stops_every_process_it_started(tmp_path, signum):
    raw = tmp_path / "raw"
    raw.mkdir()  # no releases: a run the sensor starts fails at once instead of building
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DEFENCE_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "DEFENCE_RAW_DIR": str(raw),
    }
    port = free_port()
    ui = start(["ui", "--port", str(port)], env, tmp_path / "ui.log")
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/server_info"), 120, "the UI", ui)
        took = stop_and_audit(ui, signum, within_s=10)
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGKILL)
    assert ui.wait(timeout=5) == 0, (tmp_path / "ui.log").read_text()[-3000:]
    print(f"stopped in {took:.1f} s")


def test_the_production_commands_default_to_localhost_and_the_repos_workspace(
    monkeypatch, tmp_path
):
    calls = []
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(service, "supervise", lambda command: calls.append(command) or 0)
    monkeypatch.setattr(service, "_prepare", lambda reap=False: None)
    assert cli.main(["webserver"]) == 0 and cli.main(["daemon"]) == 0
    web, daemon = calls
    assert web[0].endswith("dagster-webserver") and web[web.index("--host") + 1] == "127.0.0.1"
    assert web[web.index("-w") + 1] == str(service.WORKSPACE_FILE)
    assert daemon[0].endswith("dagster-daemon") and daemon[1:] == [
        "run",
        "-w",
        str(service.WORKSPACE_FILE),
    ]
