"""A throw-away PostgreSQL server on 127.0.0.1 for the deployment tests.

Debian's ``postgresql`` package ships the server binaries in ``/usr/lib/postgresql/<version>/bin``
(``.ci/run`` installs it when missing). ``initdb`` refuses to run as root, and tests run as root
under CI, so the cluster belongs to an unprivileged user (``postgres`` when the package created
it, else ``nobody``) and its commands run through ``runuser``. The cluster lives in a temporary
folder, listens on a free port on 127.0.0.1 only (no Unix socket), trusts local connections and
skips fsync: it is deleted when the tests end.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "dagster"
DATABASE = "defence_dagster"


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def require_server_bin() -> Path:
    """The bin folder; outside CI a missing server skips the tests, under CI it fails them."""
    found = server_bin()
    if found is None:
        message = (
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
            "(apt-get install postgresql; .ci/run does)"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server, create the database, yield its URL (in the form docs/deploy.md gives:
    ``postgresql+psycopg2://``); stop and delete it afterwards."""
    bin_dir = require_server_bin()
    owner = None
    if os.geteuid() == 0:
        owner = "postgres" if _user_exists("postgres") else "nobody"
    root = Path(tempfile.mkdtemp(prefix="defence-pg-"))
    try:
        if owner:
            entry = pwd.getpwnam(owner)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        pg_ctl, port = _start(bin_dir, owner, root)
        try:
            _create_database(port)
            yield f"postgresql+psycopg2://{USER}@127.0.0.1:{port}/{DATABASE}"
        finally:
            stop = _as_owner([*pg_ctl, "-m", "immediate", "-w", "stop"], owner)
            subprocess.run(stop, capture_output=True, timeout=60, cwd=root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_dir: Path, owner: str | None, root: Path) -> tuple[list[str], int]:
    """initdb and pg_ctl start; returns the pg_ctl command prefix and the port."""
    data, log, port = root / "data", root / "server.log", free_port()
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "--no-sync"]
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log)]
    start = [*pg_ctl, "-w", "-t", "60", "-o", options, "start"]
    for command in (initdb, start):
        done = subprocess.run(
            _as_owner(command, owner), capture_output=True, text=True, timeout=120, cwd=root
        )
        if done.returncode != 0:
            detail = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}{detail}")
    return pg_ctl, port


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _create_database(port: int) -> None:
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres")
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"create database {DATABASE}")
    finally:
        con.close()
