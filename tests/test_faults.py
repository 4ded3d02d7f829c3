"""Faults a scheduled run meets: killed mid-run, two runs at once, a publish killed halfway.

The end-to-end fixture (tests/conftest.py) kills a real run during `dbt build` and starts a
second run while another works; these tests check what that left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pipeline.warehouse.publish import publish
from tests.conftest import run_pipeline, write_marts

pytestmark = pytest.mark.e2e


def test_a_run_killed_during_dbt_build_leaves_the_published_file_intact(end_to_end):
    assert end_to_end.bytes_after_kill == end_to_end.previous_bytes
    assert ".defence.duckdb" not in " ".join(end_to_end.kill_leftovers)


def test_a_killed_runs_dbt_child_dies_with_it(end_to_end):
    """`kill -9` on the run's process alone: its dbt child (started through dbt-in-run) is killed
    by the kernel at once, instead of writing the build warehouse on for seconds (dbt's build
    takes about 6 s here; the fixture polls every 0.2 s)."""
    assert end_to_end.dbt_outlived_s < 2.0


def test_no_process_of_a_killed_run_outlives_it(end_to_end):
    """The run's GX process (and Dagster's own helpers) go with it too: the GX process is bound
    to the run like dbt (``pipeline/children.py``), and would otherwise write GX's files on."""
    assert end_to_end.survivors == []
    assert end_to_end.others_outlived_s < 5.0


def test_the_next_run_after_a_kill_succeeds_and_replaces_the_warehouse(end_to_end):
    assert end_to_end.published.read_bytes() != end_to_end.previous_bytes
    assert "Published" in end_to_end.run_stdout


def test_of_two_runs_started_half_a_second_apart_one_publishes_and_one_refuses(end_to_end):
    """The loser exits 3 with the lock's message first, before any step ran: it touched neither
    the build file nor GX's files (no GX error, no traceback)."""
    loser = end_to_end.concurrent
    assert loser.returncode == 3
    first_line = loser.stderr.strip().splitlines()[-1]
    assert first_line.startswith("error: ") and "another pipeline run is writing" in first_line
    assert "nothing was changed" in first_line
    assert "Traceback" not in loser.stderr and "ExpectationSuite" not in loser.stderr
    assert "  ... " not in loser.stderr  # no step started


_KILL_DURING_PUBLISH = """
import os, sys, time
from pathlib import Path
import pipeline.warehouse.publish as publish_module

def stuck(src, dst):  # the copy is written and fsynced; the process dies before the rename
    print("ready", flush=True)
    time.sleep(600)

publish_module.os.replace = stuck
publish_module.publish(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_publish_killed_before_its_rename_leaves_the_old_file_and_is_cleaned_up(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "defence.duckdb"
    write_marts(build, "old")
    publish(build, published)
    before = published.read_bytes()
    write_marts(build, "new")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_DURING_PUBLISH, str(build), str(published)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert published.read_bytes() == before
    assert len(list(tmp_path.glob(".defence.duckdb.*.tmp"))) == 1  # the orphaned copy
    publish(build, published)  # the next publish removes it and succeeds
    assert not list(tmp_path.glob(".defence.duckdb.*.tmp"))
    assert published.read_bytes() != before


@pytest.mark.sipri  # without them every run tries to fetch them: never 'nothing new'
def test_a_second_run_with_nothing_new_skips_and_leaves_the_warehouse_alone(end_to_end, tmp_path):
    before = end_to_end.published.read_bytes()
    result = run_pipeline(tmp_path, end_to_end.published.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Up to date" in result.stdout
    assert end_to_end.published.read_bytes() == before
