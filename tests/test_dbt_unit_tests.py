"""dbt's unit tests: the models' SQL on fixed inputs (compounding, floors, revisions...).

A pipeline run leaves them out (``pipeline/defs/transform.py``: they test the code, not the data,
so a new release cannot fail them); here they run on a copy of the session's build warehouse, whose
relations give dbt the input columns it needs (empty ones too, when SIPRI's workbooks are not at
hand), and every one of them must pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from pipeline import paths
from pipeline.defs.dbt_project import DBT_EXECUTABLE

# SIPRI's workbooks not needed: its relations exist, empty
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_every_dbt_unit_test_passes(end_to_end, tmp_path):
    """Through the runs' own dbt launcher, from the parse state ``prepare`` saved (as a run's
    dbt does: pipeline/cli/dbt_child.py), so dbt does not parse the project afresh."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copyfile(end_to_end.published.parent / "build.duckdb", warehouse / "build.duckdb")
    target = tmp_path / "target"
    target.mkdir()
    saved_state = paths.DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    shutil.copyfile(saved_state, target / saved_state.name)
    done = subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", "test_type:unit", "--target-path", str(target)],
        cwd=paths.DBT_PROJECT_DIR,
        env={
            **os.environ,
            "DEFENCE_WAREHOUSE_DIR": str(warehouse),
            "DBT_PROFILES_DIR": str(paths.DBT_PROJECT_DIR),
            "DBT_LOG_PATH": str(target),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    dbt_log = (target / "dbt.log").read_text()
    assert "Partial parsing enabled" in dbt_log and "Unable to do partial parsing" not in dbt_log
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert set(ran) == _declared_unit_tests() and set(ran.values()) == {"pass"}, ran


def _declared_unit_tests() -> set[str]:
    """Every unit test the dbt project's YAML declares."""
    declared = set()
    for path in (paths.PROJECT_ROOT / "dbt_project" / "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            declared.add(test["name"])
    assert len(declared) >= 6
    return declared
