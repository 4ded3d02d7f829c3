"""A service manager's stop leaves nothing behind: ``python -m pipeline ui`` and its children.

``ui`` starts ``dagster dev``, which starts a webserver, a daemon and code servers (and a run, when
the daemon's sensor fires). SIGTERM, SIGINT or SIGHUP to the CLI process alone, as systemd, a
terminal's Ctrl-C or a closed terminal sends it, must stop all of them within seconds.

What each signal does is :func:`pipeline.cli.service.supervise`'s, the same for every command: it
is tested here on a small process tree, per signal, including a child that ignores the signal and
must be killed after the grace period. The real ``ui`` is stopped once, by Ctrl-C's SIGINT; the
production services (``webserver``, ``daemon``) run under the same supervisor, and
tests/test_deploy_postgres.py stops those as systemd does, with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pipeline import paths
from pipeline.cli import main as cli
from pipeline.cli import service
from tests.pg_server import free_port
from tests.processes import http_ok, start, stop_and_audit, wait_until

pytestmark = pytest.mark.lifecycle


# A child that starts a grandchild, as dagster dev starts its webserver and daemon, then waits.
TREE = (
    "import signal, subprocess, sys, time\n"
    "if sys.argv[1] == 'ignore':\n"
    "    for s in (signal.SIGTERM, signal.SIGINT): signal.signal(s, signal.SIG_IGN)\n"
    "subprocess.Popen(['sleep', '120'])\n"
    "print('ready', flush=True)\n"
    "time.sleep(120)\n"
)
SUPERVISED = (
    "import sys\n"
    "from pipeline.cli.service import supervise\n"
    "sys.exit(supervise([sys.executable, '-c', sys.argv[1], sys.argv[2]], grace_s=1.0))\n"
)


@pytest.mark.parametrize("child", ["stops", "ignore"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=str)
def test_the_supervisor_stops_the_whole_tree_on_each_stop_signal(signum, child):
    """A well-behaved child stops on the signal passed on; one that ignores it is killed, with
    everything in its group, once the grace period is over. Either way the command exits 0."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED, TREE, child],
        cwd=paths.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        took = stop_and_audit(proc, signum, within_s=5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=5) == 0
    if child == "ignore":  # it had its grace period before the kill
        assert took > 0.9, took


@pytest.mark.slow
def test_stopping_the_ui_stops_every_process_it_started(tmp_path):
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
        took = stop_and_audit(ui, signal.SIGINT, within_s=10)
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
