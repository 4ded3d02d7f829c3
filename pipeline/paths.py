"""The one place that names the project's files and folders.

Settings are read when used, never at import time, so tests can point a whole run at a temporary
warehouse or raw-data folder through the environment:

- ``DEFENCE_RAW_DIR``: the publishers' files and their sidecars (default ``data/raw``).
- ``DEFENCE_WAREHOUSE_DIR``: where ``build.duckdb`` and ``defence.duckdb`` live
  (default ``data/warehouse``).
- ``DEFENCE_MIRROR``: where publisher files kept out of git are fetched from (a folder or an
  http(s) base URL; default: the publisher's URL in each sidecar); see
  :mod:`pipeline.acquire.on_demand`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGSTER_CONFIG_FILE = PROJECT_ROOT / "dagster.yaml"
# dbt's own virtualenv, inside the project's (``make setup`` installs dbt_project/requirements.txt
# there): the Dagster processes run dbt as a command and never import dbt Core, which cost each of
# them about a second and 850 modules (docs/architecture.md, "dbt in its own environment").
DBT_ENV_DIR = Path(sys.prefix) / "dbt"

BUILD_DB_NAME = "build.duckdb"
PUBLISHED_DB_NAME = "defence.duckdb"
WAREHOUSE_DIR_ENV = "DEFENCE_WAREHOUSE_DIR"


def raw_dir() -> Path:
    """Folder of the publishers' files: ``<raw>/<source>/<release-date>/<file>``."""
    return Path(os.environ.get("DEFENCE_RAW_DIR", PROJECT_ROOT / "data" / "raw"))


def warehouse_dir() -> Path:
    """Folder of the build and published DuckDB files.

    dbt's profile (``dbt_project/profiles.yml``) reads the same setting, from dbt's own folder, so
    a value must be an absolute path for both to mean the same folder. (A run's dbt, started in
    this folder by ``dbt-in-run``, is given ``.``: :mod:`pipeline.cli.dbt_child`.)
    """
    setting = os.environ.get(WAREHOUSE_DIR_ENV)
    if setting is None:
        return PROJECT_ROOT / "data" / "warehouse"
    if not Path(setting).is_absolute():
        raise ValueError(
            f"{WAREHOUSE_DIR_ENV}={setting!r} must be an absolute path (dbt's profile reads it "
            "from dbt_project/, the pipeline from the current folder)"
        )
    return Path(setting)


def build_db() -> Path:
    """The only file any writer (the raw loads, dbt) ever opens."""
    return warehouse_dir() / BUILD_DB_NAME


def published_db() -> Path:
    """The only file analysts open, always read-only; replaced atomically by publish."""
    return warehouse_dir() / PUBLISHED_DB_NAME


def gx_docs_root() -> Path:
    """GX's file context (``gx/``) and its data docs live beside the warehouse (runtime state,
    git-ignored): ``<warehouse>/gx/uncommitted/data_docs/local_site/index.html``."""
    return warehouse_dir()


def dbt_run_target() -> Path:
    """Where the run's ``dbt build`` writes its artifacts (run_results.json, manifest, dbt.log):
    one folder per warehouse, reused by every run on it (runs on a warehouse take turns under its
    write lock), so the latest run's artifacts are there to read and nothing piles up.
    dagster-dbt's default, a new folder under ``dbt_project/target/`` per run, grew by about 4 MB
    a run and was never pruned."""
    return warehouse_dir() / "dbt_target"


def dbt_tool(name: str = "dbt") -> Path:
    """A command of dbt's environment (``dbt``, ``sqlfluff``)."""
    return DBT_ENV_DIR / "bin" / name


def dagster_home() -> Path:
    """Dagster's instance folder (run history, event logs); git-ignored."""
    return Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home"))
