"""The run's GX process (``pipeline/defs/gx_worker.py``): calls cross to it and back, its
failures are the step's, and its death is said in words, not as a broken pool."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

import pytest

from pipeline.defs.gx_worker import GxProcessDied, GxWorker
from pipeline.quality import gates


@pytest.fixture
def worker():
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=gates.start_worker,
    ) as pool:
        yield GxWorker(pool)


def test_a_call_runs_in_another_process_and_its_exception_is_raised_here(worker):
    assert worker.run(os.getpid) != os.getpid()
    assert worker.run(os.getppid) == os.getpid()  # bound to the run (its parent)
    with pytest.raises(FileNotFoundError):
        worker.run(os.stat, "/no/such/file")


def test_a_gx_process_killed_mid_run_is_named_as_such(worker):
    os.kill(worker.run(os.getpid), signal.SIGKILL)
    with pytest.raises(GxProcessDied, match="the run's GX process died before getpid"):
        worker.run(os.getpid)
