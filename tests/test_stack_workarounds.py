"""The private members the project overrides (pipeline/defs/stack_workarounds.py) still exist
under these names in the pinned dagster-dbt, and the overrides give what dagster-dbt expects.

A failure here means an upgrade changed dagster-dbt: read the module's docstring, then check
whether the new version has a public way (and delete the workaround) or move the override.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging.version import Version

from pipeline import paths
from pipeline.defs.dbt_project import DBT_EXECUTABLE, dbt_resource
from pipeline.defs.stack_workarounds import OVERRIDDEN, ProjectDbtCliResource

# The dbt-core pin of dbt's environment, as dbt_project/requirements.txt declares it.
PINNED_DBT_CORE = re.search(
    r"^dbt-core==(\S+)", (paths.DBT_PROJECT_DIR / "requirements.txt").read_text(), re.MULTILINE
).group(1)


def test_the_overridden_members_still_exist_in_dagster_dbt():
    assert set(OVERRIDDEN) <= set(vars(DbtCliResource)), (
        "dagster-dbt renamed or removed a member pipeline/defs/stack_workarounds.py overrides"
    )
    assert set(OVERRIDDEN) <= set(vars(ProjectDbtCliResource))


def test_the_version_is_the_dbt_core_the_runs_use_without_running_dbt():
    """The version comes from the package metadata of the dbt-core in dbt's environment, whose
    ``dbt`` script DBT_EXECUTABLE (``dbt-in-run``, of this interpreter) replaces itself with."""
    resource = dbt_resource()
    assert isinstance(resource, ProjectDbtCliResource)
    shebang = Path(DBT_EXECUTABLE).read_text().splitlines()[0].removeprefix("#!").strip()
    assert os.path.realpath(shebang) == os.path.realpath(sys.executable)
    dbt_python = paths.dbt_tool().read_text().splitlines()[0].removeprefix("#!").strip()
    assert Path(dbt_python).parent.parent == paths.DBT_ENV_DIR
    assert resource._cli_version == Version(PINNED_DBT_CORE)
    assert resource._cli_version.major == 1  # dbt Core, not the Fusion engine
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_dagster_processes_never_import_dbt_core():
    """dbt Core is not installed beside Dagster (it has its own environment), so loading the
    definitions imports none of it: dagster-dbt then reads the manifest itself."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pipeline.definitions; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dbt', 'dbt_common')))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"
    assert importlib.util.find_spec("dbt") is None


def test_dbt_itself_reports_the_same_version():
    done = subprocess.run(
        [DBT_EXECUTABLE, "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "NO_PROXY": "*",
            "HTTPS_PROXY": "http://127.0.0.1:9",
        },  # its PyPI lookup fails at once, offline
    )
    assert PINNED_DBT_CORE in done.stdout
