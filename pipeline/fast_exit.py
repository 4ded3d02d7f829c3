"""End ``python -m pipeline`` without tearing down its interpreter.

After a run, the interpreter's own tear-down (freeing the modules and objects of Dagster, dbt Core,
pandas and DuckDB, one by one) took 1.1 s, measured, after the run had published and printed its
summary. :func:`exit_without_teardown` does what a normal exit does that matters, in the same order,
then skips that freeing:

1. wait for the other non-daemon threads, after the shutdown hooks that tell them to stop
   (``threading._shutdown``, what the interpreter calls first: it lets ``concurrent.futures``
   stop its pools and joins every such thread);
2. run the exit handlers (``atexit._run_exitfuncs``, what the interpreter calls next): the run's
   worker is stopped, log handlers are flushed and closed, every library's own handlers run;
3. flush ``sys.stdout`` and ``sys.stderr`` and end with ``os._exit`` and the command's code.

Both functions are CPython's own (underscored, unchanged since Python 3.4); the exit code, the
handlers and the waiting are tested in ``tests/test_fast_exit.py``.

Nothing is left to flush by then: the project opens every file and DuckDB connection in a ``with``
block, so each is closed before the command returns. The run's worker ends the same way
(:mod:`pipeline.worker`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def exit_without_teardown(code: int | None) -> NoReturn:
    """Exit with ``code`` (None: 0, as ``sys.exit``) once the other threads have ended and the
    exit handlers have run, skipping the interpreter's tear-down."""
    code = 0 if code is None else code
    _flush()
    threading._shutdown()  # type: ignore[attr-defined] - the interpreter's first exit step
    atexit._run_exitfuncs()  # runs and clears them, as the interpreter's exit would
    _flush()
    os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or a broken pipe
            stream.flush()
