"""The marts' public contract (DESIGN.md §3) is enforced by dbt when it builds them: each column
with its declared type, and the columns declared never NULL as NOT NULL constraints that DuckDB
checks on insert (``+contract: enforced`` in dbt_project.yml, types and constraints in each
mart's YAML).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import duckdb
import pytest

from pipeline import paths
from pipeline.warehouse.dbt_manifest import MANIFEST_PATH


def _marts() -> list[dict]:
    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    return [n for n in nodes if n["resource_type"] == "model" and n["fqn"][1] == "marts"]


def test_every_mart_has_an_enforced_contract_typing_every_column():
    marts = _marts()
    assert len(marts) >= 13
    for mart in marts:
        assert mart["config"]["contract"]["enforced"], mart["name"]
        untyped = [c for c, spec in mart["columns"].items() if not spec.get("data_type")]
        assert not untyped, f"{mart['name']}: columns without a data_type: {untyped}"
    not_null = {
        (m["name"], c)
        for m in marts
        for c, spec in m["columns"].items()
        if any(k.get("type") == "not_null" for k in spec.get("constraints", []))
    }
    assert ("dim_release", "release_date") in not_null and len(not_null) >= 25


@pytest.mark.e2e
def test_the_published_marts_carry_the_contract(published):
    with duckdb.connect(str(published), read_only=True) as con:
        nullable = dict(
            con.execute(
                "select table_name || '.' || column_name, is_nullable "
                "from information_schema.columns where table_schema = 'marts'"
            ).fetchall()
        )
    assert nullable["dim_release.release_date"] == "NO"
    assert nullable["fct_target_status.share_gdp_pct"] == "YES"  # NULL is "unknown" there


@pytest.mark.e2e
def test_a_null_where_the_contract_forbids_it_fails_the_build_naming_the_column(
    end_to_end, tmp_path
):
    """A release date lost upstream: dbt refuses to build ``dim_release``, and says which
    column of which table broke which rule."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copyfile(end_to_end.published.parent / "build.duckdb", warehouse / "build.duckdb")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("update raw.source_releases set release_date = null")
    done = subprocess.run(
        [
            str(paths.dbt_tool()),
            "run",
            "--select",
            "+dim_release",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=paths.DBT_PROJECT_DIR,
        env={**os.environ, "DEFENCE_WAREHOUSE_DIR": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    said = done.stdout
    assert "Runtime Error in model dim_release" in said, said[-3000:]
    # DuckDB names the table dbt builds it as (dim_release__dbt_tmp), and the column.
    assert "NOT NULL constraint failed: dim_release" in said and ".release_date" in said
