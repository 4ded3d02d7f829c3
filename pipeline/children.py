"""Processes a run starts, bound to it: each dies with the run's process.

A run's helper processes (dbt, started by dagster-dbt; the GX process, started by the run's
``gx_worker`` resource) must not outlive it. When the run's process is killed outright (``kill
-9``, the out-of-memory killer), nothing in it can stop them, and they would go on writing the
build warehouse or GX's files while the next run holds the write lock. Linux's
``prctl(PR_SET_PDEATHSIG)`` asks the kernel to kill a process when its parent dies; it survives
``exec``. Elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class ParentGone(RuntimeError):
    """The parent died before the request took effect: this process must not go on."""


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl failed: {os.strerror(ctypes.get_errno())}")
    if os.getppid() != parent:
        raise ParentGone("the process that started this one is gone")


def bind_to_parent() -> None:
    """Set up a helper process of the run (a ``ProcessPoolExecutor`` initializer): it dies with
    the run, and leaves Ctrl-C to the run (which stops it), so an interrupt prints one message,
    not one traceback per process."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
