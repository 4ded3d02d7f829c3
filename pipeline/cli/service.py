"""Long-running commands: the UI for a laptop, Dagster's webserver and daemon for a server.

- ``ui``: ``dagster dev`` (webserver, daemon and code servers in one command, SQLite by default);
- ``webserver`` / ``daemon``: ``dagster-webserver`` and ``dagster-daemon run`` as two separate
  services on the instance in ``$DAGSTER_HOME`` (PostgreSQL in production, docs/deploy.md),
  loading the definitions through ``workspace.yaml`` (a code server each) or, in production,
  from ``code-server``, one long-lived ``dagster code-server`` (``deploy/workspace.grpc.yaml``).

Each runs under :func:`supervise`: the Dagster process gets its own process group, SIGTERM or
SIGINT to this process is passed on to the whole group, and whatever is still alive after a grace
period is killed. Without it, a service manager's SIGTERM ended this process only and left the
webserver, the daemon and their code servers running (measured: more than 20 s). Before a daemon
starts, runs the previous one launched and left "in progress" are marked failed
(:func:`reap_orphaned_runs`): they would block the one-run queue forever. The dbt manifest is
prepared before Dagster starts (:func:`pipeline.defs.dbt_project.prepare_manifest`), so the code
servers that load the definitions find it current and do not parse dbt themselves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline import paths

GRACE_S = 6.0  # how long Dagster gets to shut down cleanly before the group is killed
WORKSPACE_FILE = paths.PROJECT_ROOT / "workspace.yaml"


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is in the group. Zombies are skipped: an init that is
    slow to reap them (PID 1 of a container) would otherwise hold every stop for the whole grace."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: any member, zombie or not
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _ppid, group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state not in ("Z", "X"):
            return True
    return False


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_group(child: subprocess.Popen, signum: int, grace_s: float = GRACE_S) -> None:
    """Send ``signum`` to the child's group, wait up to ``grace_s`` for every member, then kill."""
    _signal_group(child.pid, signum)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        child.poll()  # reap the leader so that it does not count as alive
        if not _group_alive(child.pid):
            return
        time.sleep(0.1)
    _signal_group(child.pid, signal.SIGKILL)
    child.wait()


def supervise(command: list[str], grace_s: float = GRACE_S) -> int:
    """Run ``command`` in its own process group until it ends or this process is told to stop.

    Returns the command's exit status, or 0 when it was asked to stop (SIGTERM, SIGINT, or SIGHUP
    when the terminal closes, passed on as SIGTERM: the group is not the terminal's job).
    """
    received: list[int] = []

    def on_signal(signum, _frame):
        received.append(signal.SIGTERM if signum == signal.SIGHUP else signum)

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {s: signal.signal(s, on_signal) for s in handled}
    try:
        child = subprocess.Popen(command, cwd=paths.PROJECT_ROOT, process_group=0)
        while child.poll() is None and not received:
            time.sleep(0.2)
        if received:
            stop_group(child, received[0], grace_s)
            return 0
        # The leader ended on its own: take down anything it left in its group.
        stop_group(child, signal.SIGTERM, grace_s)
        return child.returncode
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def reap_orphaned_runs() -> list[str]:
    """Mark runs that a previous daemon or code server launched, and that still show as in progress,
    as failed, unless a run holds the warehouse write lock (then one is alive: nothing is touched).

    With Dagster's DefaultRunLauncher a run's worker is a child of the code server (the daemon's
    own, or the long-lived ``code-server``): when that stopped (or the machine did), so did the
    run. Both the daemon and the code server call this when they start. Left
    "started", it would hold the run queue's only slot (``max_concurrent_runs: 1``) and no run
    would ever start again. Runs executed in-process by ``python -m pipeline run`` have no job
    origin and are left to the warehouse lock (pipeline/defs/resources.py); other launchers
    (Docker, Kubernetes) keep their workers across a daemon restart, so nothing is touched then.
    """
    import dagster as dg

    from pipeline.defs.resources import IN_PROGRESS
    from pipeline.warehouse.lock import is_held

    reaped = []
    if is_held(paths.warehouse_dir()):  # a run is alive and writing: nothing is orphaned
        return reaped
    with dg.DagsterInstance.get() as instance:
        if not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
            return reaped
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
            if run.remote_job_origin is None:
                continue
            message = "Its worker stopped with the Dagster daemon that launched it."
            instance.report_run_failed(run, message)
            reaped.append(run.run_id)
    if reaped:
        print(f"marked runs of the previous daemon as failed: {', '.join(reaped)}", file=sys.stderr)
    return reaped


def prepare_service(reap: bool) -> None:
    """The instance's home and the dbt manifest, ready before any Dagster process starts; with
    ``reap``, the runs a previous daemon left in progress marked failed."""
    from pipeline.cli.instance import prepare_dagster_home
    from pipeline.defs.dbt_project import prepare_manifest

    prepare_dagster_home()
    prepare_manifest()
    if reap:
        reap_orphaned_runs()


def _prepare(reap: bool = False) -> None:
    """:func:`prepare_service`, in a child process: it imports Dagster, dbt and the definitions
    (about 200 MB), which the supervising process, alive as long as the service, never needs."""
    command = [sys.executable, "-m", "pipeline", "prepare", "--service"]
    subprocess.run([*command, *(["--reap-orphaned-runs"] if reap else [])], check=True)


def _tool(name: str) -> str:
    """A console script beside the running interpreter (the venv's), else from the PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def ui(host: str, port: int) -> int:
    """Serve the Dagster UI (``dagster dev``) for the project's definitions."""
    _prepare(reap=True)
    command = [_tool("dagster"), "dev", "-m", "pipeline.definitions"]
    return supervise([*command, "--host", host, "--port", str(port)])


CODE_SERVER_PORT = 4266
LOCATION = "pipeline.definitions"  # the code location's name, as workspace.yaml's module gives it


def code_server(host: str, port: int) -> int:
    """``dagster code-server start``: the definitions loaded once, served over gRPC to the daemon
    and the webserver (``deploy/workspace.grpc.yaml``), as Dagster's production guide does.

    With ``workspace.yaml``'s ``python_module`` each of them spawns and reloads code servers of its
    own (docs/deploy.md measures what that costs while idle). Here they connect to this one, and
    a run the daemon launches is a child of this server.
    """
    _prepare(reap=True)
    command = [_tool("dagster"), "code-server", "start", "-m", LOCATION]
    return supervise([*command, "-h", host, "-p", str(port), "--location-name", LOCATION])


def webserver(host: str, port: int, workspace: str | None) -> int:
    """``dagster-webserver``: the UI and its API on the instance in ``$DAGSTER_HOME``."""
    _prepare()
    command = [_tool("dagster-webserver"), "-w", workspace or str(WORKSPACE_FILE)]
    return supervise([*command, "--host", host, "--port", str(port)])


def daemon(workspace: str | None) -> int:
    """``dagster-daemon run``: evaluates schedules and sensors and launches queued runs."""
    _prepare(reap=True)
    return supervise([_tool("dagster-daemon"), "run", "-w", workspace or str(WORKSPACE_FILE)])
