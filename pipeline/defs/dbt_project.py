"""The dbt project, defined once for Dagster, and the step that prepares its manifest.

dagster-dbt builds the dbt assets from ``target/manifest.json`` when ``pipeline/defs/transform.py``
is imported, so the manifest must exist, and be current, before the definitions load. Importing
this module does nothing; :func:`prepare_manifest` is the preparation step (as dagster-dbt's
``DbtProject.prepare_if_dev``), called explicitly by ``python -m pipeline prepare`` (``make
setup``), by every CLI command before it loads the definitions or starts Dagster, and by
:func:`pipeline.definitions.build_definitions` as a last guard.

dbt runs through dagster-dbt's ``DbtCliResource``, as Dagster's guides wire it, less two
start-up costs that have no public switch (:mod:`pipeline.defs.stack_workarounds`), with dbt's
command line from the interpreter's virtualenv (so a run works without activating it), started
through ``dbt-in-run`` so that it dies with the run that started it.
"""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from pipeline import paths
from pipeline.defs.stack_workarounds import ProjectDbtCliResource
from pipeline.warehouse.dbt_manifest import TARGET_DIR, manifest_is_stale
from pipeline.warehouse.lock import exclusive_lock

DBT_PROJECT = DbtProject(
    project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR, target_path=TARGET_DIR
)
# dbt's command line beside the interpreter, through ``dbt-in-run`` (pipeline/cli/dbt_child.py),
# which has the kernel kill dbt when the run's process dies (kill -9 included).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt-in-run")

PARSE_WAIT_S = 300.0  # a webserver and a daemon started together: one parses, the other waits


def prepare_manifest(force: bool = False) -> bool:
    """Run ``dbt parse`` (about 6 s) when the manifest is missing or older than a dbt source file
    (or always, with ``force``), so an edited model never runs from a stale manifest; True when it
    parsed.

    Two processes preparing at once (a webserver and a daemon starting together) take turns under
    a lock in ``target/``; the second finds the manifest fresh and does nothing.
    """
    if not force and not manifest_is_stale():
        return False
    lock = Path(DBT_PROJECT.project_dir) / DBT_PROJECT.target_path / ".prepare.lock"
    busy = f"{lock}: another process has been parsing the dbt project for {PARSE_WAIT_S:.0f} s"
    with exclusive_lock(lock, PARSE_WAIT_S, busy):
        if not force and not manifest_is_stale():
            return False
        dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()
    return True


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource the assets use (and the manifest is prepared with)."""
    return ProjectDbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=DBT_EXECUTABLE,
    )


defs = dg.Definitions(resources={"dbt": dbt_resource()})
