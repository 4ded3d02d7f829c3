"""dbt's unit tests: the models' SQL on fixed inputs (compounding, floors, revisions...).

A pipeline run leaves them out (``pipeline/defs/transform.py``: they test the code, not the data,
so a new release cannot fail them); here they run on a copy of the session's build warehouse, whose
relations give dbt the input columns it needs (empty ones too, when SIPRI's workbooks are not at
hand), and every one of them must pass.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from pipeline import paths
from tests.conftest import dbt_from_saved_state, parsed_from_saved_state

# SIPRI's workbooks not needed: its relations exist, empty
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_every_dbt_unit_test_passes(end_to_end, tmp_path):
    """As a run's dbt runs, from the parse state ``prepare`` saved: dbt does not parse afresh."""
    warehouse, target = tmp_path / "warehouse", tmp_path / "target"
    warehouse.mkdir()
    shutil.copyfile(end_to_end.published.parent / "build.duckdb", warehouse / "build.duckdb")
    done = dbt_from_saved_state(
        ["test", "--select", "test_type:unit"],
        project=paths.DBT_PROJECT_DIR,
        warehouse=warehouse,
        target=target,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert parsed_from_saved_state(target)
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
