"""The dbt project, defined once for Dagster (dagster-dbt needs its manifest at import time)."""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipeline import paths

DBT_PROJECT = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
# The dbt installed beside this interpreter, so a run works without activating the virtualenv.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

_DBT_SOURCE_DIRS = ("models", "seeds", "tests", "macros")


def dbt_environment() -> None:
    """Point dbt at the build warehouse and keep it from phoning home (read when a run starts)."""
    os.environ["DEFENCE_BUILD_DB"] = str(paths.build_db())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any dbt source file."""
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    files = [paths.DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in _DBT_SOURCE_DIRS:
        files += (paths.DBT_PROJECT_DIR / folder).rglob("*")
    return any(f.is_file() and f.stat().st_mtime > built for f in files)


def ensure_manifest() -> None:
    """Parse the dbt project (about 6 s) when its manifest is missing or stale."""
    if manifest_is_stale():
        dbt_environment()
        dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource the assets use (and the manifest is prepared with)."""
    return DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=DBT_EXECUTABLE,
    )


ensure_manifest()
