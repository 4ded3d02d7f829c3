"""Command line: ``python -m pipeline run | ui | sql | shell | status | export | dictionary``.

- ``run``: run the whole job (verify, parse, validate, dbt build, validate, publish) in-process;
  exits non-zero when anything fails, leaving the published warehouse untouched.
- ``ui``: the Dagster UI on 127.0.0.1 (``--host`` to change).
- ``webserver``, ``daemon``: Dagster's two services for a server (docs/deploy.md).
- ``sql``: one query on the published warehouse, opened read-only; ``shell``: the DuckDB CLI on it,
  read-only.
- ``status``: where the warehouse is, latest release per source, row counts, the last run;
  ``--check`` exits 1 when the last refresh failed or the warehouse is stale (monitoring).
- ``export``: every mart to CSV and Parquet.
- ``dictionary``: the data dictionary (docs/data_dictionary.md) from the dbt manifest.
- ``prepare``: parse the dbt project into ``target/manifest.json`` when it is missing or stale
  (``make setup``; the other commands do it themselves before Dagster loads the definitions).
- ``changes``: what a NATO release changed (new years, 2%/3.5% crossings, largest revisions, the
  aggregates' movement) against the release before it; the latest by default.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from pipeline import paths, service
from pipeline.analyst_cli import dictionary_command, export_command, shell, sql, status_command
from pipeline.reports.changes_cli import changes_command, print_new_release, published_nato_releases


def run(lock_timeout_s: float, force: bool = False) -> int:
    """Run the refresh job; 0 on success, 1 on failure, 3 when another run holds the warehouse.

    The job's ``warehouse_lock`` resource is the guard; the pre-flight check here only saves a
    second run the start-up cost before it is refused. ``--wait`` and the fingerprint checked
    here reach the job as run config (:func:`pipeline.defs.refresh.refresh_run_config`).
    """
    from pipeline import gc_pause

    with gc_pause.paused_while_loading():  # resumed by _execute_job once Dagster is loaded
        return _run(lock_timeout_s, force)


def _run(lock_timeout_s: float, force: bool) -> int:
    from pipeline import fingerprint
    from pipeline.instance import prepare_dagster_home
    from pipeline.warehouse.lock import WarehouseBusyError, write_lock

    started = time.monotonic()
    current = fingerprint.current()
    if not force and fingerprint.published() == current:
        print(
            f"Up to date: {paths.published_db()} was built from these exact inputs and code "
            f"(fingerprint {current[:12]}); nothing to do. Use --force to rebuild anyway."
        )
        return 0
    prepare_dagster_home()
    try:
        with write_lock(paths.warehouse_dir(), timeout_s=lock_timeout_s):
            pass
    except WarehouseBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    _start_worker()
    releases_before = published_nato_releases()
    success = _execute_job(lock_timeout_s, current)
    elapsed = time.monotonic() - started
    if success:
        print_new_release(releases_before)
        print(f"Published {paths.published_db()} in {elapsed:.0f} s.")
        return 0
    print(
        f"Run failed after {elapsed:.0f} s; the published warehouse was not changed "
        f"({paths.published_db()}).",
        file=sys.stderr,
    )
    return 1


def _start_worker() -> None:
    """Start the run's worker (pipeline/worker.py): it parses the largest source whose inputs
    changed and imports GX on the other core while this process starts Dagster."""
    from pipeline import fingerprint, worker

    worker.launch()  # its interpreter starts while this process finds what changed
    from pipeline.catalog import SOURCES
    from pipeline.warehouse.validated import is_reusable

    changed = {}
    for source in SOURCES:
        inputs = fingerprint.source(source.name)
        if not is_reusable(paths.build_db(), source.raw_table, inputs):
            changed[source.name] = (inputs, paths.raw_dir() / source.name)
    # Only the largest changed source ahead (SIPRI's workbooks, 1.1 s, when both changed): the
    # raw step here parses the other while the worker imports GX, and the first gate no longer
    # waits for the worker (NATO's gate went from 0.9 s to 0.35 s of a cold run, measured).
    largest = sorted(changed.items(), key=lambda item: _folder_bytes(item[1][1]), reverse=True)
    worker.start(paths.gx_docs_root(), parse=dict(largest[:1]))


def _folder_bytes(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _execute_job(lock_timeout_s: float, build_fingerprint: str) -> bool:
    """Run the job in-process: progress lines on the terminal, full logs in a file."""
    import dagster as dg

    from pipeline import gc_pause
    from pipeline.defs.dbt_project import prepare_manifest

    prepare_manifest()  # before the definitions load: they build the dbt assets from it
    from pipeline.definitions import REFRESH_JOB, defs
    from pipeline.defs.refresh import refresh_run_config
    from pipeline.failures import describe
    from pipeline.instance import run_instance
    from pipeline.progress import is_warning, progress_logger, summary

    log_dir = paths.warehouse_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "last_run.log"
    print(f"Running {REFRESH_JOB} (full log: {log_path})", file=sys.stderr)
    job = defs.resolve_job_def(REFRESH_JOB).with_logger_defs(
        {"console": dg.colored_console_logger, "progress": progress_logger}
    )
    gc_pause.resume_after_loading()
    with (
        run_instance() as instance,
        log_path.open("w") as log,
        contextlib.redirect_stdout(log),
        _stderr_to(log),
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={
                **refresh_run_config(lock_timeout_s, build_fingerprint),
                "loggers": {"console": {"config": {"log_level": "INFO"}}, "progress": {}},
            },
        )
    for line in summary(result):
        print(line, file=sys.stderr)
    step_failed = any(e.is_step_failure for e in result.all_events)
    for event in result.all_events:
        if event.is_step_failure:
            error = describe(event.step_failure_data.error)
            print(f"step {event.step_key} failed: {error}", file=sys.stderr)
        if event.is_run_failure and event.event_specific_data.error is not None and not step_failed:
            print(f"run failed: {describe(event.event_specific_data.error)}", file=sys.stderr)
        check = event.event_specific_data
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and not check.passed:
            verdict = "warning" if is_warning(check) else "failed"
            print(f"check {check.check_name} {verdict}: {check.description}", file=sys.stderr)
    return result.success


@contextlib.contextmanager
def _stderr_to(stream):
    """Send sys.stderr (Dagster's console logger, warnings) to ``stream`` for the block."""
    original = sys.stderr
    sys.stderr = stream
    try:
        yield
    finally:
        sys.stderr = original


def prepare_command() -> int:
    """Prepare what the definitions need before they load: the dbt manifest."""
    from pipeline.defs.dbt_project import DBT_PROJECT, prepare_manifest

    parsed = prepare_manifest()
    print(f"{'Parsed' if parsed else 'Up to date'}: {DBT_PROJECT.manifest_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run the whole pipeline and publish the warehouse")
    run_cmd.add_argument(
        "--force",
        action="store_true",
        help="rebuild even when inputs and code are unchanged since the last publish",
    )
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
    web_cmd = commands.add_parser(
        "webserver", help="production: dagster-webserver (docs/deploy.md)"
    )
    web_cmd.add_argument("--host", default="127.0.0.1")
    web_cmd.add_argument("--port", type=int, default=3000)
    web_cmd.add_argument("--workspace", metavar="FILE", help="default: workspace.yaml")
    daemon_cmd = commands.add_parser("daemon", help="production: dagster-daemon (docs/deploy.md)")
    daemon_cmd.add_argument("--workspace", metavar="FILE", help="default: workspace.yaml")
    sql_cmd = commands.add_parser("sql", help="query the published warehouse (read-only)")
    sql_cmd.add_argument("query")
    commands.add_parser("shell", help="the DuckDB CLI on the published warehouse (read-only)")
    status_cmd = commands.add_parser("status", help="latest releases, row counts, last run")
    status_cmd.add_argument("--json", action="store_true")
    status_cmd.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the last refresh failed or the warehouse is stale (for monitoring)",
    )
    status_cmd.add_argument(
        "--max-age-days",
        type=float,
        metavar="DAYS",
        help="with --check: oldest acceptable warehouse (default: DEFENCE_MAX_AGE_DAYS or 8)",
    )
    export_cmd = commands.add_parser("export", help="every mart to CSV and Parquet")
    export_cmd.add_argument("--to", metavar="FOLDER", help="default: data/exports")
    dict_cmd = commands.add_parser("dictionary", help="write docs/data_dictionary.md")
    dict_cmd.add_argument("--check", action="store_true", help="fail if it is out of date")
    commands.add_parser("prepare", help="parse the dbt manifest when missing or stale")
    changes_cmd = commands.add_parser("changes", help="what a NATO release changed")
    changes_cmd.add_argument("--release", metavar="ID", help="default: the latest NATO release")
    args = parser.parse_args(argv)
    handlers = {
        "run": lambda: run(args.wait, args.force),
        "ui": lambda: service.ui(args.host, args.port),
        "webserver": lambda: service.webserver(args.host, args.port, args.workspace),
        "daemon": lambda: service.daemon(args.workspace),
        "sql": lambda: sql(args.query),
        "shell": shell,
        "status": lambda: status_command(args.json, args.check, args.max_age_days),
        "export": lambda: export_command(args.to),
        "dictionary": lambda: dictionary_command(args.check),
        "changes": lambda: changes_command(args.release),
        "prepare": prepare_command,
    }
    return handlers[args.command]()
