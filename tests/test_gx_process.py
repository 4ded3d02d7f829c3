"""The run's GX process (``pipeline/defs/gx_worker.py``): calls cross to it and back, its
failures are the step's, and its death is said in words, not as a broken pool."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys

import pytest

from pipeline.defs.gx_worker import GxProcessDied, gx_process

pytestmark = pytest.mark.slow  # the test starts a GX process, which imports GX (about 3 s)


@pytest.fixture
def worker():
    with gx_process() as started:  # as the run's resource starts it
        yield started


def _gx_imported() -> bool:
    return "great_expectations" in sys.modules


def _warn(message: str) -> int:
    logging.getLogger("pipeline.quality.runner").warning(message)
    return os.getpid()


def _printed_on_the_terminal() -> str:
    """In the GX process: what its terminal handler prints of a library's info and a warning."""
    (printed,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    terminal = io.StringIO()
    stream = printed.setStream(terminal)
    try:
        chatty = logging.getLogger("chatty_library")
        chatty.setLevel(logging.INFO)  # as a library may set its own logger
        chatty.info("a library's progress")
        chatty.warning("a warning")
    finally:
        printed.setStream(stream)
    return terminal.getvalue()


def test_a_call_runs_in_another_process_its_exception_is_raised_here_and_its_death_named(
    worker, caplog
):
    """One GX process for the whole story (each costs GX's import): calls, then its death."""
    assert worker.run(os.getpid) != os.getpid()
    assert worker.run(os.getppid) == os.getpid()  # bound to the run (its parent)
    assert worker.run(_gx_imported)  # imported there at once
    with pytest.raises(FileNotFoundError):
        worker.run(os.stat, "/no/such/file")
    # What it logs, even in a call queued ahead, comes back with the next answer and is logged
    # here, where a step's Dagster log captures it.
    worker.ahead(_warn, "context set aside")
    with caplog.at_level(logging.WARNING):
        assert worker.run(_warn, "second") != os.getpid()
    assert [r.getMessage() for r in caplog.records] == ["context set aside", "second"]
    # Its terminal gets what Python prints with no logging set up: warnings, not a library's info.
    assert worker.run(_printed_on_the_terminal) == "a warning\n"
    # Killed mid-run: the next call says so in words, not as a broken pool.
    os.kill(worker.run(os.getpid), signal.SIGKILL)
    with pytest.raises(GxProcessDied, match="the run's GX process died before getpid"):
        worker.run(os.getpid)
