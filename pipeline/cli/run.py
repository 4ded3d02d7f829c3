"""``python -m pipeline run``: the refresh job, in this process, with progress on the terminal.

The same job, steps and guards as a run the schedule, the sensor or the UI launches
(:mod:`pipeline.defs.refresh`): "is there anything new" is
:func:`pipeline.warehouse.fingerprint.freshness`, which they call too, and the write lock is taken
by the job's ``warehouse_lock`` resource alone, before any step runs. A run that finds another one
holding the lock ends with exit code 3, having touched nothing shared, and its log is not kept.

Before it creates a Dagster run, the command asks whether the lock is held
(:func:`pipeline.warehouse.lock.is_held`) and, when it is and ``--wait`` is 0, refuses at once: a
run record created only to be refused would plan every check, and Dagster's UI would show each
check's latest evaluation, on every mart, as failed. The job's resource stays the guard: a run
that gets in between the question and the resource is refused there, with the same exit code.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback

from pipeline import paths

EXIT_OK, EXIT_FAILED, EXIT_BUSY = 0, 1, 3
LAST_LOG = "last_run.log"  # in <warehouse>/logs/: the full log of the last run that took the lock


def run(lock_wait_s: float, force: bool = False) -> int:
    """Run the refresh job; 0 on success (or nothing to do), 1 on failure, 3 when another run
    holds the warehouse."""
    from pipeline.cli.changes import print_new_release, published_nato_releases
    from pipeline.cli.instance import prepare_dagster_home
    from pipeline.warehouse.fingerprint import freshness
    from pipeline.warehouse.lock import busy_message, is_held

    started = time.monotonic()
    if not force:
        state = freshness()
        if state.is_up_to_date:
            print(
                f"Up to date: {state.built_from_these_inputs}; nothing to do. "
                "Use --force to rebuild anyway."
            )
            return EXIT_OK
        if state.missing and state.current == state.published:
            print(f"The warehouse is {state.describe()}.", file=sys.stderr)
    if lock_wait_s == 0 and is_held(paths.warehouse_dir()):
        print(f"error: {busy_message(paths.warehouse_dir())}; nothing was changed", file=sys.stderr)
        return EXIT_BUSY
    prepare_dagster_home()
    releases_before, file_before = published_nato_releases(), _published_file()
    try:
        result, busy = _execute_job(lock_wait_s)
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(f"Run failed; {_what_happened(file_before)}.", file=sys.stderr)
        return EXIT_FAILED
    elapsed = time.monotonic() - started
    from pipeline.cli.progress import print_outcome

    if busy is not None:
        print(
            f"error: {busy} (the run stopped before its first step; nothing was changed)",
            file=sys.stderr,
        )
        return EXIT_BUSY
    print_outcome(result)
    if result.success:
        print_new_release(releases_before)
        print(f"Published {paths.published_db()} in {elapsed:.0f} s.")
        _print_unavailable()
        return EXIT_OK
    print(f"Run failed after {elapsed:.0f} s; {_what_happened(file_before)}.", file=sys.stderr)
    return EXIT_FAILED


class InstanceError(RuntimeError):
    """Dagster could not record the run in its instance (``DAGSTER_HOME``): a full disk, most
    often. Steps' own failures never raise (the run ends failed, with its events); this does."""


def _what_happened(file_before: tuple[int, int] | None) -> str:
    """Whether this run replaced the published file, read off the file itself."""
    if _published_file() != file_before:
        published = paths.published_db()
        return f"the warehouse was published ({published}) but a later part of the step failed"
    return f"the published warehouse was not changed ({paths.published_db()})"


def _print_unavailable() -> None:
    """Say which releases the warehouse just published lacks (files that could not be fetched)."""
    from pipeline.cli.analyst import connect_published, unavailable_note, unavailable_releases

    with connect_published() as con:
        note = unavailable_note(unavailable_releases(con))
    if note:
        print(note)


def _published_file() -> tuple[int, int] | None:
    """The published file's identity (inode, modification time): publishing replaces it by
    rename, so a new identity means this run published, whatever its events say."""
    try:
        stat = paths.published_db().stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _execute_job(lock_wait_s: float):
    """Run the job in-process: progress lines on the terminal, full logs in a file. Returns the
    result and, when the run was refused because another held the lock, the lock's message."""
    import dagster as dg

    from pipeline.defs.dbt_project import prepare_manifest
    from pipeline.defs.failures import busy_error

    prepare_manifest()  # before the definitions load: they build the dbt assets from it
    from pipeline.cli.progress import progress_logger
    from pipeline.definitions import REFRESH_JOB, defs
    from pipeline.defs.resources import lock_run_config
    from pipeline.warehouse.build import write_failure

    log_dir = paths.warehouse_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # Written under this process's name, and kept as last_run.log only by a run that took the
    # lock: a run refused because another one is writing leaves that run's log alone.
    log_path = log_dir / f"run-{os.getpid()}.log"
    print(f"Running {REFRESH_JOB} (full log: {log_path}, then {LAST_LOG})", file=sys.stderr)
    job = defs.resolve_job_def(REFRESH_JOB).with_logger_defs(
        {"console": dg.colored_console_logger, "progress": progress_logger}
    )
    with (
        log_path.open("w") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        try:
            with dg.DagsterInstance.get() as instance:
                result = job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_config={
                        **lock_run_config(lock_wait_s),
                        "loggers": {"console": {"config": {"log_level": "INFO"}}, "progress": {}},
                    },
                )
        except Exception as exc:  # not a step's failure: the instance could not record the run
            traceback.print_exc()  # into the run's log
            home = paths.dagster_home()
            what = f"record the run in the Dagster instance (full traceback: {log_path})"
            raise InstanceError(write_failure(home, what, exc, setting="DAGSTER_HOME")) from exc
    busy = busy_error(result.all_events)
    if busy is None:
        os.replace(log_path, log_dir / LAST_LOG)
    else:
        log_path.unlink(missing_ok=True)
    return result, busy
