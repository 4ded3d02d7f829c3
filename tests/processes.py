"""Helpers for tests of long-running commands: start in a session, wait for HTTP, stop, audit.

A command under test starts in its own session, so every process it starts (and they start) can be
found afterwards by session id in /proc; its descendants are also recorded while it runs, in case
one of them moved to a session of its own. Zombies count as gone: they hold no resources, and
PID 1 of a container may be slow to reap the ones it inherits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipeline import paths


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def session_processes(session_id: int) -> list[int]:
    """Live processes whose session id is ``session_id``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if os.getsid(pid) == session_id and alive(pid):
                found.append(pid)
        except OSError:
            continue
    return found


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return {p for p in found if alive(p)}


def describe(pids) -> str:
    lines = []
    for pid in sorted(pids):
        try:
            lines.append(f"{pid}: {Path(f'/proc/{pid}/cmdline').read_bytes()[:160]!r}")
        except OSError:
            lines.append(f"{pid}: gone")
    return "\n".join(lines)


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """``python -m pipeline <args>`` in its own session, output to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=paths.PROJECT_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until(condition, timeout_s: float, what: str, proc: subprocess.Popen | None = None):
    """Poll ``condition`` until it returns a truthy value; fail when the process dies first."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.2)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def stop_and_audit(proc: subprocess.Popen, signum: int, within_s: float = 10.0) -> float:
    """Send ``signum`` to the command alone (as a service manager does to its main process) and
    assert that every process of its session and every descendant is gone within ``within_s``.
    Returns the seconds it took; kills the leftovers before failing."""
    tree = descendants(proc.pid) | {proc.pid}
    left: set[int] = set()
    started = time.monotonic()
    os.kill(proc.pid, signum)
    while time.monotonic() - started < within_s:
        proc.poll()
        left = set(session_processes(proc.pid)) | {p for p in tree if alive(p)}
        if not left:
            return time.monotonic() - started
        time.sleep(0.1)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"still running {within_s:.0f} s after {signum!r}:\n{describe(left)}")
