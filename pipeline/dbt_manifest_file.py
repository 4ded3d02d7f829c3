"""Where the dbt project's manifest is, and whether it is stale, without importing dbt or Dagster.

The run's worker reads the models' grains from the manifest (pipeline/quality/dbt_manifest.py);
importing dagster-dbt to find the file, which imports dbt Core, cost it 1.5 s on the run's critical
path. :func:`pipeline.defs.dbt_project.prepare_manifest` parses the project when this module says
the manifest is stale; ``DBT_PROJECT.manifest_path`` is this same path (tested).
"""

from __future__ import annotations

from pipeline import paths

TARGET_DIR = "target"
MANIFEST_PATH = paths.DBT_PROJECT_DIR / TARGET_DIR / "manifest.json"
_DBT_SOURCE_DIRS = ("models", "seeds", "tests", "macros")


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any dbt source file or folder (a folder's
    time changes when a file in it is added, renamed or deleted, which no file's time shows)."""
    if not MANIFEST_PATH.exists():
        return True
    built = MANIFEST_PATH.stat().st_mtime
    paths_ = [paths.DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in _DBT_SOURCE_DIRS:
        paths_ += [paths.DBT_PROJECT_DIR / folder, *(paths.DBT_PROJECT_DIR / folder).rglob("*")]
    return any(p.exists() and p.stat().st_mtime > built for p in paths_)
