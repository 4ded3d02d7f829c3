"""The pipeline's commands: run and serve it, query the published warehouse, refuse a release.

- ``run``: run the whole job (verify, parse, validate, dbt build, validate, publish) in-process
  (:mod:`pipeline.cli.run`); exits 1 when anything fails, leaving the published warehouse
  untouched, and 3 when another run holds the warehouse.
- ``ui``: the Dagster UI on 127.0.0.1 (``--host`` to change).
- ``webserver``, ``daemon``, ``code-server``: Dagster's services for a server (docs/deploy.md).
- ``sql``: one query on the published warehouse, opened read-only, the whole answer printed (as a
  table, ``--format csv`` or ``json``; ``--limit N`` rows); ``shell``: the DuckDB CLI on it,
  read-only. Output piped into a reader that stops early (``| head``) ends quietly.
- ``status``: where the warehouse is, latest release per source, row counts, the last run;
  ``--check`` exits 1 when the last refresh failed or the warehouse is stale (monitoring).
- ``export``: every mart to CSV and Parquet.
- ``dictionary``: the data dictionary (docs/data_dictionary.md) from the dbt manifest.
- ``prepare``: parse the dbt project into ``target/manifest.json`` when it is missing or stale
  (``make setup``; the other commands do it themselves before Dagster loads the definitions).
- ``refuse``, ``retry``, ``refused``: set a release whose load was refused aside with the reason
  (discovery does not fetch it again), put it back, list them (:mod:`pipeline.acquire.refused`).
- ``changes``: what a NATO release changed (new years, 2%/3.5% crossings, largest revisions, the
  aggregates' movement) against the release before it; the latest by default.
"""

from __future__ import annotations

import argparse
import os
import sys

from pipeline.cli import service
from pipeline.cli.changes import changes_command
from pipeline.cli.commands import (
    FORMATS,
    dictionary_command,
    export_command,
    refuse_command,
    refused_command,
    retry_command,
    shell,
    sql,
    status_command,
)
from pipeline.cli.run import run

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe ended


def prepare_command(service: bool = False, reap: bool = False) -> int:
    """Prepare what the definitions need before they load: the dbt manifest; for a service, the
    instance's home too, and for the daemon the runs a previous one left in progress."""
    from pipeline.cli.service import prepare_service
    from pipeline.defs.dbt_project import DBT_PROJECT, prepare_manifest

    if service or reap:
        prepare_service(reap)
        return 0
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
    code_cmd = commands.add_parser(
        "code-server", help="production: one long-lived code server for both (docs/deploy.md)"
    )
    code_cmd.add_argument("--host", default="127.0.0.1")
    code_cmd.add_argument("--port", type=int, default=service.CODE_SERVER_PORT)
    daemon_cmd = commands.add_parser("daemon", help="production: dagster-daemon (docs/deploy.md)")
    daemon_cmd.add_argument("--workspace", metavar="FILE", help="default: workspace.yaml")
    sql_cmd = commands.add_parser(
        "sql", help="query the published warehouse (read-only); prints the whole answer"
    )
    sql_cmd.add_argument("query")
    sql_cmd.add_argument(
        "--format", choices=FORMATS, default="table", help="table (default), csv or json"
    )
    sql_cmd.add_argument("--limit", type=int, metavar="N", help="at most N rows")
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
    prepare_cmd = commands.add_parser("prepare", help="parse the dbt manifest if missing or stale")
    prepare_cmd.add_argument("--service", action="store_true", help=argparse.SUPPRESS)
    prepare_cmd.add_argument("--reap-orphaned-runs", action="store_true", help=argparse.SUPPRESS)
    refuse_cmd = commands.add_parser(
        "refuse", help="set a release aside with the reason; discovery will not fetch it again"
    )
    refuse_cmd.add_argument("release_id", help="as in dim_release, e.g. nato_2027-07-10")
    refuse_cmd.add_argument("--reason", required=True, help="why (kept beside the files)")
    retry_cmd = commands.add_parser("retry", help="put a refused release back, to load it again")
    retry_cmd.add_argument("release_id")
    commands.add_parser("refused", help="list the refused releases and why")
    changes_cmd = commands.add_parser("changes", help="what a NATO release changed")
    changes_cmd.add_argument("--release", metavar="ID", help="default: the latest NATO release")
    args = parser.parse_args(argv)
    handlers = {
        "run": lambda: run(args.wait, args.force),
        "ui": lambda: service.ui(args.host, args.port),
        "webserver": lambda: service.webserver(args.host, args.port, args.workspace),
        "daemon": lambda: service.daemon(args.workspace),
        "code-server": lambda: service.code_server(args.host, args.port),
        "sql": lambda: sql(args.query, args.format, args.limit),
        "shell": shell,
        "status": lambda: status_command(args.json, args.check, args.max_age_days),
        "export": lambda: export_command(args.to),
        "dictionary": lambda: dictionary_command(args.check),
        "changes": lambda: changes_command(args.release),
        "prepare": lambda: prepare_command(args.service, args.reap_orphaned_runs),
        "refuse": lambda: refuse_command(args.release_id, args.reason),
        "retry": lambda: retry_command(args.release_id),
        "refused": refused_command,
    }
    try:
        code = handlers[args.command]()
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
    except BrokenPipeError:
        # The reader stopped early (`| head`): the rest goes nowhere, quietly (Python's
        # documented pattern: stdout pointed at /dev/null so the exit's flush cannot fail).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code
