"""The run's GX process: every GX suite of a run is validated there, one at a time, when a step
asks and while the step waits.

Why a process of its own: importing GX takes about 3 s (it brings SciPy and Altair), and its
modules add about 0.7 s to an interpreter's tear-down. The process starts when the run's resources
are set up, after the write lock is taken (``required_resource_keys``), and imports GX on the
second core while the run verifies and parses the release files, so the first gate finds it
ready. The run's own process never imports GX.

One path: this is a resource of the one job, so a run from the shell, the schedule, the sensor or
the UI starts it the same way; nothing is handed over outside the calls below. What crosses is
the gate function of :mod:`pipeline.quality.gates` with its arguments (paths, table names, release
ids) and its outcome (a ``SuiteOutcome`` and a row count), pickled by the standard library's
``concurrent.futures``. The process reads the build warehouse read-only and writes GX's files
(suites, results, data docs); the run's process touches neither while it waits.

It is a fresh interpreter (``spawn``: the run's environment as it is now, none of its threads), it
dies with the run's process and ignores Ctrl-C, which the run handles
(:func:`pipeline.children.bind_to_parent`). A gate that raises raises the same exception in the
step. What the process logs at WARNING or above (a GX context set aside, say) goes to the terminal
as before and comes back with the next answer, which the waiting step logs through Dagster: it is
in the run's event log and log file, not only on a terminal nobody reads.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TypeVar

import dagster as dg

from pipeline.children import bind_to_parent
from pipeline.quality import runner

T = TypeVar("T")


class GxProcessDied(RuntimeError):
    """The run's GX process ended before answering: a validation that did not run."""


# In the GX process: its warnings not yet handed back (see _answer).
_UNSAID: list[str] = []


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _UNSAID.append(self.format(record))


def _start() -> None:
    """The GX process's initializer: bound to the run, and its warnings both printed (as Python
    prints a warning with no handler set) and kept for the next answer."""
    bind_to_parent()
    root = logging.getLogger()
    printed = logging.StreamHandler()  # Python's last resort prints WARNING and up, no more
    printed.setLevel(logging.WARNING)
    root.addHandler(printed)
    root.addHandler(_Collect(logging.WARNING))


def _answer(function: Callable[..., T], *args) -> tuple[T, list[str]]:
    """``function(*args)`` in the GX process, with what it (and any call queued ahead of it)
    logged since the last answer."""
    result = function(*args)
    said = list(_UNSAID)
    _UNSAID.clear()
    return result, said


class GxWorker:
    """The run's GX process and the calls that run in it."""

    def __init__(self, pool: ProcessPoolExecutor):
        self._pool = pool

    def run(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` in the GX process; its result, or its exception raised here."""
        try:
            result, said = self._pool.submit(_answer, function, *args).result()
        except BrokenProcessPool as exc:
            raise GxProcessDied(
                f"the run's GX process died before {function.__name__} could finish (killed, "
                "out of memory?); nothing was published, and the next run starts a new one"
            ) from exc
        for message in said:  # into the waiting step's Dagster log (captured there)
            dg.get_dagster_logger("gx_process").warning(message)
        return result

    def ahead(self, function: Callable[..., object], *args) -> None:
        """Queue ``function(*args)`` without waiting: work a later step needs, done while this one
        runs. A failure there is not lost: the step that needs the same thing fails on it."""
        self._pool.submit(function, *args)

    def finish(self) -> None:
        """Let the process go once the run's last GX step is done: its exit then overlaps the
        steps after it, instead of holding up the run's end. Nothing more can run in it."""
        self._pool.shutdown(wait=False)


@dg.resource(
    required_resource_keys={"warehouse_lock"},
    description="The run's GX process: validates every GX suite of the run (set up after the "
    "write lock is taken; GX is imported there while the run parses).",
)
def gx_worker(_context: dg.InitResourceContext) -> Iterator[GxWorker]:
    with gx_process() as worker:
        yield worker


@contextmanager
def gx_process() -> Iterator[GxWorker]:
    """Start the process and have it import GX at once, while the run verifies and parses; on
    leaving, wait for it to end."""
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
    ) as pool:
        worker = GxWorker(pool)
        worker.ahead(runner.warm_up)
        yield worker


defs = dg.Definitions(resources={"gx_worker": gx_worker})
