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


@contextmanager
def write_lock(warehouse_dir: Path, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse write lock, waiting up to ``timeout_s`` seconds for it."""
    lock_path = warehouse_dir / ".write.lock"
    busy = f"{lock_path}: another pipeline run is writing the warehouse; "
    with exclusive_lock(lock_path, timeout_s, busy + "wait for it to finish and run again"):
        yield


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
