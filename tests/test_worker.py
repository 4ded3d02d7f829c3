"""The run's worker process (pipeline/worker.py): parses handed over only for the same inputs,
a failed parse left to the caller, GX suites run there, and a worker that dies named as such."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import fingerprint, paths, worker
from pipeline.load import load_source
from pipeline.quality import gates
from pipeline.warehouse.build import write_table


@pytest.fixture
def fresh_worker():
    worker.stop()
    yield worker
    worker.stop()


def test_a_parse_ahead_is_handed_over_for_the_same_inputs_only(fresh_worker):
    nato = paths.raw_dir() / "nato"
    inputs = fingerprint.source("nato")
    fresh_worker.start(parse={"nato": (inputs, nato)})
    frame, stats, releases = fresh_worker.parsed_ahead("nato", inputs)
    expected, _, _ = load_source(nato)
    assert frame.equals(expected) and len(frame) == 17_334
    assert [r.release_id for r in releases][-1] == "nato_2026-07-10"
    assert fresh_worker.parsed_ahead("nato", inputs) is None  # handed over once

    fresh_worker.start(parse={"nato": ("inputs that changed since", nato)})
    assert fresh_worker.parsed_ahead("nato", inputs) is None  # stale: the caller parses


def test_a_failed_parse_ahead_is_left_to_the_caller(fresh_worker, tmp_path):
    (tmp_path / "2026-01-01").mkdir()
    (tmp_path / "2026-01-01" / "book.xlsx").write_text("not a workbook")
    fresh_worker.start(parse={"nato": ("x", tmp_path)})
    assert fresh_worker.parsed_ahead("nato", "x") is None


def test_a_suite_runs_in_the_worker_on_the_relation_it_reads(fresh_worker, tmp_path):
    frame, _, _ = load_source(paths.raw_dir() / "sipri")
    db = tmp_path / "build.duckdb"
    write_table(db, "raw", "sipri__military_expenditure", frame)
    outcome, rows = fresh_worker.run(gates.sipri_gate, db, "sipri__military_expenditure", tmp_path)
    assert outcome.success and rows == 106_458
    assert (tmp_path / "gx" / "uncommitted" / "validations").is_dir()  # its result is stored


def test_a_worker_that_dies_is_named_and_replaced(fresh_worker):
    with pytest.raises(worker.WorkerDiedError, match="worker process ended while running _exit"):
        fresh_worker.run(os._exit, 3)
    assert fresh_worker.run(os.getpid) != os.getpid()  # a new worker answers


def test_the_worker_ends_when_the_run_is_killed(tmp_path):
    """A run killed outright (SIGKILL skips its clean-up) leaves no worker behind."""
    script = (
        "import os, time\n"
        "from pipeline import worker\n"
        "print(worker.run(os.getpid), flush=True)\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=paths.PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    worker_pid = int(run.stdout.readline())
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 5
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker_pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


@pytest.mark.parametrize(
    ("changed", "ahead"),
    [({"nato", "sipri"}, "sipri"), ({"nato"}, "nato"), ({"sipri"}, "sipri"), (set(), None)],
)
def test_the_run_hands_its_worker_the_largest_changed_source(monkeypatch, changed, ahead):
    """Cold, SIPRI's workbooks go ahead and NATO is parsed by its raw step while the worker
    imports GX; after one NATO release, NATO goes ahead."""
    from pipeline import cli
    from pipeline.catalog import SOURCES

    tables = {s.raw_table: s.name for s in SOURCES}
    monkeypatch.setattr(
        "pipeline.warehouse.validated.is_reusable",
        lambda _db, table, _in: tables[table] not in changed,
    )
    handed: dict = {}
    monkeypatch.setattr(worker, "launch", lambda: None)
    monkeypatch.setattr(worker, "start", lambda _docs, parse: handed.update(parse))
    cli._start_worker()
    assert list(handed) == ([ahead] if ahead else [])
    if ahead:
        assert handed[ahead] == (fingerprint.source(ahead), paths.raw_dir() / ahead)
