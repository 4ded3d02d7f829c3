"""Command line: ``python -m pipeline run | ui | sql``.

- ``run``: run the whole job (verify, parse, validate, dbt build, validate, publish) in-process;
  exits non-zero when anything fails, leaving the published warehouse untouched.
- ``ui``: the Dagster UI on 127.0.0.1 (``--host`` to change).
- ``sql``: a query on the published warehouse, opened read-only.
"""

from __future__ import annotations

import argparse
import sys
import time

from pipeline import paths


def run(lock_timeout_s: float) -> int:
    """Run the refresh job; 0 on success, 1 on failure, 3 when another run holds the warehouse.

    The job's ``warehouse_lock`` resource is the guard; the pre-flight check here only saves a
    second run the start-up cost before it is refused.
    """
    import os

    from pipeline.instance import prepare_dagster_home
    from pipeline.warehouse.lock import WarehouseBusyError, write_lock

    prepare_dagster_home()
    os.environ["DEFENCE_LOCK_WAIT_S"] = str(lock_timeout_s)
    started = time.monotonic()
    try:
        with write_lock(paths.warehouse_dir(), timeout_s=lock_timeout_s):
            pass
    except WarehouseBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    success = _execute_job()
    elapsed = time.monotonic() - started
    if success:
        print(f"Published {paths.published_db()} in {elapsed:.0f} s.")
        return 0
    print(
        f"Run failed after {elapsed:.0f} s; the published warehouse was not changed "
        f"({paths.published_db()}).",
        file=sys.stderr,
    )
    return 1


def _execute_job() -> bool:
    import dagster as dg

    from pipeline.definitions import REFRESH_JOB, defs

    with dg.DagsterInstance.get() as instance:
        job = defs.get_job_def(REFRESH_JOB)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"step {event.step_key} failed: {error.message.strip()}", file=sys.stderr)
            if event.is_run_failure and event.event_specific_data.error is not None:
                print(
                    f"run failed: {event.event_specific_data.error.message.strip()}",
                    file=sys.stderr,
                )
            check = event.event_specific_data
            if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and not check.passed:
                print(f"check {check.check_name} failed: {check.description}", file=sys.stderr)
        return result.success


def ui(host: str, port: int) -> int:
    """Serve the Dagster UI (``dagster dev``) for the project's definitions."""
    import subprocess

    from pipeline.instance import prepare_dagster_home

    prepare_dagster_home()
    dagster = paths.PROJECT_ROOT / ".venv" / "bin" / "dagster"
    command = [
        str(dagster) if dagster.exists() else "dagster",
        "dev",
        "-m",
        "pipeline.definitions",
        "--host",
        host,
        "--port",
        str(port),
    ]
    return subprocess.call(command, cwd=paths.PROJECT_ROOT)


def sql(query: str) -> int:
    """Run one query on the published warehouse, read-only, and print the result."""
    import duckdb

    target = paths.published_db()
    if not target.exists():
        print(f"error: {target} not found; run `python -m pipeline run` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(target), read_only=True) as con:
        print(con.sql(query))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run the whole pipeline and publish the warehouse")
    run_cmd.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run to finish (default: fail at once)",
    )
    ui_cmd = commands.add_parser("ui", help="serve the Dagster UI")
    ui_cmd.add_argument("--host", default="127.0.0.1")
    ui_cmd.add_argument("--port", type=int, default=3000)
    sql_cmd = commands.add_parser("sql", help="query the published warehouse (read-only)")
    sql_cmd.add_argument("query")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.wait)
    if args.command == "ui":
        return ui(args.host, args.port)
    return sql(args.query)
