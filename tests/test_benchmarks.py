"""The benchmark harness's own arithmetic: how a floor is timed and what the ratios divide by.

The timings themselves are the harness's job (``python -m benchmarks``), never a test's.
"""

from __future__ import annotations

import sys

from benchmarks.__main__ import floor_seconds, measure, render

# A task's shape: its work, the two lines the harness reads, then an exit that takes its time.
TASK = (
    "import time\n"
    "started = time.perf_counter()\n"
    "time.sleep(0.05)\n"
    "print(f'work_seconds={time.perf_counter() - started:.3f}', flush=True)\n"
    "print(f'work_done_at={time.time():.3f}', flush=True)\n"
    "import atexit\n"
    "atexit.register(time.sleep, 0.4)\n"
)


def test_a_floor_is_timed_to_the_end_of_its_work_and_its_exit_apart():
    result = measure([sys.executable, "-c", TASK], env={})
    assert result["work_s"] >= 0.05
    assert result["to_work_end_s"] is not None
    # The exit's 0.4 s is in the wall time, not in the time to the end of the work.
    assert result["wall_s"] - result["to_work_end_s"] >= 0.35
    assert floor_seconds(result) == result["to_work_end_s"]


def test_a_command_that_reports_no_work_is_timed_whole():
    result = measure([sys.executable, "-c", "pass"], env={})
    assert result["to_work_end_s"] is None
    assert floor_seconds(result) == result["wall_s"]


def _row(wall: float, to_work_end: float | None = None) -> dict:
    return {
        "wall_s": wall,
        "rss_mb": 100.0,
        "work_s": None,
        "to_work_end_s": to_work_end,
        "dbt_step_s": None,
    }


def test_the_ratios_divide_by_the_floors_to_the_end_of_their_work_and_say_the_other_reading():
    results = {
        "floor: one Dagster asset": _row(2.0, to_work_end=1.5),
        "floor: one-model dbt build": _row(3.0),
        "floor: one GX expectation": _row(3.5, to_work_end=2.5),
        "cold full run": _row(21.0),
    }
    table = render(results)
    assert "| cold full run | 21.00 |" in table
    assert "| floor sum | 3.00x |" in table  # 21 / (1.5 + 3.0 + 2.5)
    assert "| cold full run, against the floors with their exit |  |  |  | | 2.47x |" in table
