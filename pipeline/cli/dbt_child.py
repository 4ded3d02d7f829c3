"""``dbt-in-run``: dbt's own command line, bound to the run that starts it, in the warehouse folder.

dagster-dbt starts dbt as a child process (``DbtCliResource(dbt_executable=...)``, its public
setting). When the run's process is killed outright (``kill -9``, the out-of-memory killer), nothing
in it can stop that child, and dbt went on writing the build warehouse for seconds, while the
next run could already hold the write lock. This entry point asks the kernel to kill it when its
parent dies (:func:`pipeline.children.die_with_parent`, which survives ``exec``), then replaces
itself with the ``dbt`` of dbt's own environment (:data:`pipeline.paths.DBT_ENV_DIR`): same
process, same arguments.

It starts dbt **in the warehouse folder**, with ``DEFENCE_WAREHOUSE_DIR=.``, so that dbt's
profile names the build file ``./build.duckdb`` for every warehouse. dbt reuses its parse state
(``partial_parse.msgpack``) only while the profile's connection settings are the same as when
it was written; with the folder's absolute path in them, the state that ``python -m pipeline
prepare`` leaves in ``dbt_project/target/`` (which dagster-dbt copies into a new warehouse's
target folder) never matched another warehouse, and each new one paid for a full parse (about
2 s of a cold run's dbt step). The paths dagster-dbt hands dbt relative to the folder it started
dbt in (the project's) are made absolute first, so they keep their meaning; a relative path on
its command line is read from the warehouse folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.children import ParentGone, die_with_parent
from pipeline.paths import DBT_ENV_DIR, WAREHOUSE_DIR_ENV, dbt_tool, warehouse_dir

# dbt's settings that name a folder (dagster-dbt sets each; DBT_TARGET_PATH may be relative).
DBT_PATH_SETTINGS = ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH")


def in_warehouse_folder(environ: dict[str, str], started_in: Path) -> dict[str, str]:
    """dbt's environment once it runs in the warehouse folder: dbt's folder settings absolute
    (resolved against ``started_in``, where dagster-dbt started it), the warehouse named ``.``."""
    env = dict(environ)
    for name in DBT_PATH_SETTINGS:
        if env.get(name):
            env[name] = str(started_in / env[name])  # an absolute value stays as it is
    # What dbt started in ``started_in`` would have found there: its project, its profiles.yml.
    env.setdefault("DBT_PROJECT_DIR", str(started_in))
    if "DBT_PROFILES_DIR" not in env and (started_in / "profiles.yml").exists():
        env["DBT_PROFILES_DIR"] = str(started_in)
    env[WAREHOUSE_DIR_ENV] = "."
    return env


def main() -> None:
    try:
        die_with_parent()
    except (OSError, ParentGone) as exc:
        sys.exit(f"dbt-in-run: {exc}")
    dbt = dbt_tool()
    if not dbt.exists():
        sys.exit(f"dbt-in-run: dbt's environment is not set up ({DBT_ENV_DIR}): run `make setup`")
    try:
        folder = warehouse_dir()
        folder.mkdir(parents=True, exist_ok=True)
        env = in_warehouse_folder(dict(os.environ), Path.cwd())
        os.chdir(folder)
    except (OSError, ValueError) as exc:
        sys.exit(f"dbt-in-run: the warehouse folder: {exc}")
    os.execve(dbt, [str(dbt), *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
