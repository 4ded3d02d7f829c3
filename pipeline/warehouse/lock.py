"""One writing run at a time: an exclusive advisory lock beside the warehouse files.

DuckDB allows one writer per file; two runs building at once would fail half-way or overwrite each
other's build. Dagster's run queue serialises runs it launches (``dagster.yaml``); this lock also
covers runs started from the shell. The kernel releases it when the process dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusyError(RuntimeError):
    """Another run holds the warehouse write lock."""


LOCK_NAME = ".write.lock"


def busy_message(warehouse_dir: Path) -> str:
    """What a run refused because another one holds the lock is told."""
    return (
        f"{warehouse_dir / LOCK_NAME}: another pipeline run is writing the warehouse; "
        "wait for it to finish and run again"
    )


@contextmanager
def write_lock(warehouse_dir: Path, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse write lock, waiting up to ``timeout_s`` seconds for it."""
    with exclusive_lock(warehouse_dir / LOCK_NAME, timeout_s, busy_message(warehouse_dir)):
        yield


def is_held(warehouse_dir: Path) -> bool:
    """Whether another process holds the write lock now (asked without waiting; the answer can
    change at once, so it only saves a run that would be refused its start-up, never guards)."""
    lock_path = warehouse_dir / LOCK_NAME
    if not lock_path.exists():
        return False
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


@contextmanager
def exclusive_lock(lock_path: Path, timeout_s: float, busy_message: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (created with its folder), waiting up to
    ``timeout_s`` seconds; :class:`WarehouseBusyError` with ``busy_message`` after that. Also
    guards other one-at-a-time steps, such as parsing the dbt manifest
    (:func:`pipeline.defs.dbt_project.prepare_manifest`)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(busy_message) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
