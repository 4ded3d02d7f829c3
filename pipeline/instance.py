"""The Dagster instance used by the CLI and the UI, configured by the repo's ``dagster.yaml``."""

from __future__ import annotations

import os
import shutil

from pipeline import paths


def prepare_dagster_home() -> None:
    """Create DAGSTER_HOME (default ``.dagster_home``) holding a copy of the repo's dagster.yaml.

    Dagster reads its settings from ``$DAGSTER_HOME/dagster.yaml``; the repo keeps the one
    reviewed copy at its top level, and run history stays out of git.
    """
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.DAGSTER_CONFIG_FILE, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
