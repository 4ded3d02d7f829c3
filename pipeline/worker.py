"""The run's worker process: it parses a changed source and imports GX while the main process
starts Dagster, then runs the GX suites for the checks and draws the charts.

``python -m pipeline run`` calls :func:`launch` and :func:`start` before it loads Dagster. On the
machine's other core, the worker first parses the source it is given (the largest that changed:
:func:`parsed_ahead` hands the result to the raw asset, only if the source's fingerprint is still
the same), then imports GX (about 2 s), opens its file context and saves the raw suites. Dagster's
checks hand it each suite (:func:`run`); it reads the relation from the build warehouse itself
and sends back only the outcome. Work queued with :func:`run_soon` is done ahead, while the main
process would otherwise leave this core idle (during dbt's build); :func:`begin` lets the main
process work while it waits (the publish step's previews while the worker draws the charts).

One worker, because GX's file context must not be written by two processes at once. A run the
daemon launches starts the worker at its first check and parses in its own steps: the same code,
without the head start.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_ahead: dict[str, tuple[str, Future]] = {}  # source name -> (its fingerprint, the parse)


class WorkerDiedError(RuntimeError):
    """The worker process ended while it worked (killed, or out of memory)."""


def launch() -> None:
    """Start the worker's process now (a new interpreter: about 0.3 s before it can work), so that
    the caller can decide meanwhile what to give it with :func:`start`."""
    _start().submit(os.getpid)  # the pool starts its process at the first task


def start(docs_root: Path | None = None, parse: dict[str, tuple[str, Path]] | None = None) -> None:
    """Start the worker if it is not running; have it parse ``parse`` (source name ->
    (fingerprint, folder)) first, then import GX and save the raw suites in the file context
    under ``docs_root``. Returns at once."""
    pool = _start()
    for name, (fingerprint, folder) in (parse or {}).items():
        _ahead[name] = (fingerprint, pool.submit(_load_source, folder))
    pool.submit(_warm_up, docs_root)


def parsed_ahead(name: str, fingerprint: str):
    """The worker's parse of source ``name`` (``load_source``'s result) if it was asked for the
    inputs whose fingerprint is ``fingerprint``; else, or if that parse failed, None: the caller
    then parses itself, so that an error is raised in its own process with its whole cause."""
    wanted, future = _ahead.pop(name, (None, None))
    if future is None or wanted != fingerprint:
        return None
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - parsed again by the caller, which reports the error
        return None


def run(function: Callable[..., T], *args) -> T:
    """``function(*args)`` in the worker (a module-level function, picklable arguments); an
    exception it raises is raised here."""
    return begin(function, *args)()


def begin(function: Callable[..., T], *args) -> Callable[[], T]:
    """Start ``function(*args)`` in the worker and return at once; calling what it returns waits
    for the result, as :func:`run` does (so the caller can do other work meanwhile)."""
    try:
        future = _start().submit(function, *args)
    except BrokenProcessPool as exc:
        raise _died(function) from exc

    def result() -> T:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise _died(function) from exc

    return result


def _died(function: Callable) -> WorkerDiedError:
    stop()
    return WorkerDiedError(
        f"the run's worker process ended while running {function.__name__} (killed, or out "
        "of memory); nothing was published"
    )


def run_soon(function: Callable[..., object], *args) -> None:
    """Queue ``function(*args)`` in the worker and return at once: work done ahead, whose
    outcome nobody waits for (what it prepares is made again, with its errors, by the work
    that needs it)."""
    with contextlib.suppress(BrokenProcessPool, RuntimeError):  # died, or shutting down: skip
        _start().submit(function, *args)


def stop() -> None:
    """Stop the worker (at exit, or after it died; the next :func:`run` starts a new one)."""
    global _pool
    _ahead.clear()
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _start() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the main process has threads by then (Dagster's), which a fork copies
        # in whatever state they are in.
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        atexit.register(stop)
    return _pool


def _init_worker(parent: int) -> None:
    """In the worker, at its start: end it within half a second of the run's process ending,
    however that ended (a SIGTERM or SIGKILL skips the run's own :func:`stop`; an idle pool
    worker would otherwise wait for work forever); and when it is stopped, end it with
    ``os._exit`` once its exit handlers have run, skipping the tear-down of an interpreter that
    holds GX and pandas (1.4 s, measured, which the run waited for). It has nothing left to
    flush: every file it wrote is closed, every connection it opened too."""
    atexit.register(os._exit, 0)  # registered first, so it runs last

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _load_source(folder: Path):
    from pipeline import gc_pause
    from pipeline.load import load_source

    with gc_pause.paused_while_loading():  # 0.3 s less for the parse, 13 MB more at its peak
        return load_source(folder)


def _warm_up(docs_root: Path | None) -> None:
    from pipeline import gc_pause

    with gc_pause.paused_while_loading():  # while GX loads (pipeline/gc_pause.py)
        from pipeline.quality import gates

        if docs_root is not None:
            gates.prepare_raw_suites(docs_root)  # opens the file context, importing GX
        gc_pause.resume_after_loading()
