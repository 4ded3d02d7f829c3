"""``python -m pipeline`` exits without the interpreter's tear-down, but only after everything a
normal exit does that matters (pipeline/fast_exit.py)."""

import subprocess
import sys
import textwrap

SCRIPT = """
import atexit, sys, threading, time
from pathlib import Path
from pipeline.fast_exit import exit_without_teardown

out = Path(sys.argv[1])
atexit.register(lambda: (out / "atexit").write_text(
    "after the thread" if (out / "thread").exists() else "ran"))

class Noisy:
    def __del__(self):  # runs only in the interpreter's tear-down
        (out / "teardown").write_text("ran")

keep = Noisy()
if sys.argv[2] == "thread":
    def late():
        time.sleep(0.3)
        (out / "thread").write_text("finished")
    threading.Thread(target=late).start()
if sys.argv[2] == "pool":
    from concurrent.futures import ProcessPoolExecutor
    pool = ProcessPoolExecutor(max_workers=1)
    (out / "pool").write_text(str(pool.submit(pow, 2, 2).result()))
sys.stdout.write("buffered, no newline")
exit_without_teardown(int(sys.argv[3]))
"""


def _run(tmp_path, mode: str, code: int) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(SCRIPT))
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path), mode, str(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exit_runs_the_exit_handlers_flushes_and_skips_the_teardown(tmp_path):
    done = _run(tmp_path, "alone", 3)
    assert done.returncode == 3
    assert done.stdout == "buffered, no newline"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()  # the tear-down was skipped


def test_exit_waits_for_a_live_thread_before_the_handlers_like_a_normal_exit(tmp_path):
    done = _run(tmp_path, "thread", 0)
    assert done.returncode == 0
    assert done.stdout == "buffered, no newline"
    assert (tmp_path / "thread").read_text() == "finished"
    assert (tmp_path / "atexit").read_text() == "after the thread"
    assert not (tmp_path / "teardown").exists()


def test_exit_stops_a_process_pool_left_running(tmp_path):
    """The pool's own shutdown hook runs first, as in a normal exit; nothing hangs."""
    done = _run(tmp_path, "pool", 5)
    assert done.returncode == 5
    assert (tmp_path / "pool").read_text() == "4"
