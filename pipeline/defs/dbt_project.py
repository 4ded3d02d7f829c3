"""The dbt project, defined once for Dagster, and the step that prepares its manifest.

dagster-dbt builds the dbt assets from ``target/manifest.json`` when ``pipeline/defs/transform.py``
is imported, so the manifest must exist, and be current, before the definitions load. Importing
this module does nothing; :func:`prepare_manifest` is the preparation step (as dagster-dbt's
``DbtProject.prepare_if_dev``), called explicitly by ``python -m pipeline prepare`` (``make
setup``), by every CLI command before it loads the definitions or starts Dagster, and by
:func:`pipeline.definitions.build_definitions` as a last guard (docs/architecture.md §5).
"""

import importlib.metadata
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from pipeline import dbt_entry, paths
from pipeline.dbt_manifest_file import TARGET_DIR, manifest_is_stale
from pipeline.warehouse.lock import exclusive_lock

DBT_PROJECT = DbtProject(
    project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR, target_path=TARGET_DIR
)
# dbt's command line installed beside this interpreter (so a run works without activating the
# virtualenv), through the project's entry point that loads it with the collector paused
# (pipeline/dbt_entry.py; ``pyproject.toml`` installs it as ``defence-dbt``).
DBT_EXECUTABLE = str(Path(sys.executable).parent / dbt_entry.SCRIPT_NAME)

PARSE_WAIT_S = 300.0  # a webserver and a daemon started together: one parses, the other waits


def prepare_manifest() -> bool:
    """Run ``dbt parse`` (about 6 s) when the manifest is missing or older than a dbt source file,
    so an edited model never runs from a stale manifest; True when it parsed.

    Two processes preparing at once (a webserver and a daemon starting together) take turns under
    a lock in ``target/``; the second finds the manifest fresh and does nothing.
    """
    if not manifest_is_stale():
        return False
    lock = Path(DBT_PROJECT.project_dir) / DBT_PROJECT.target_path / ".prepare.lock"
    busy = f"{lock}: another process has been parsing the dbt project for {PARSE_WAIT_S:.0f} s"
    with exclusive_lock(lock, PARSE_WAIT_S, busy):
        if not manifest_is_stale():
            return False
        dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()
    return True


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs this project never uses.

    - **The version probe.** dagster-dbt runs ``dbt --version`` in a subprocess (1.3 s) once per
      resource, to tell dbt Core from the Fusion engine. Here dbt is the pinned dbt-core installed
      beside this interpreter (``DBT_EXECUTABLE``), so its version is read from the package
      metadata; ``tests/test_dagster_wiring.py`` checks that the dbt executable is a script run
      by this interpreter, so it is that dbt-core.
    - **The in-process adapter.** Before starting dbt, dagster-dbt loads dbt's config, adapter
      and macros in the Dagster process (about 1 s) only to fetch row counts and column metadata
      when asked (``.fetch_row_counts()``, ``.fetch_column_metadata()``); this project asks for
      neither (its row counts come from the publish step).

    Both are dagster-dbt internals of the pinned version (requirements.lock); the wiring test
    fails when dagster-dbt no longer has them under these names.
    """

    @property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource the assets use (and the manifest is prepared with)."""
    return ProjectDbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=DBT_EXECUTABLE,
    )


defs = dg.Definitions(resources={"dbt": dbt_resource()})
