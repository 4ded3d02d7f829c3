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
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse_dir / ".write.lock"
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"{lock_path}: another pipeline run is writing the warehouse; "
                        "wait for it to finish and run again"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
