"""The marts' public contract (DESIGN.md §3) is enforced by dbt when it builds them: each column
with its declared type, and the columns declared never NULL as NOT NULL constraints that DuckDB
checks on insert (``+contract: enforced`` in dbt_project.yml, types and constraints in each
mart's YAML).
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline import paths
from pipeline.warehouse.dbt_manifest import load_manifest, mart_relations, models
from tests.conftest import dbt_from_saved_state


def test_every_mart_has_an_enforced_contract_typing_every_column():
    manifest = load_manifest()
    marts = [models(manifest)[relation] for relation in mart_relations(manifest)]
    assert len(marts) == 13
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
    assert ("dim_release", "release_date") in not_null and len(not_null) == 25


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
@pytest.mark.slow
def test_a_mart_drifting_from_its_contract_fails_its_build_naming_what_broke(end_to_end, tmp_path):
    """Both ways a build can break the contract, in one dbt run on a copy of the session's build
    and of the dbt project: a column added to a mart's SQL alone (``fct_target_status``), and a
    release date lost upstream of ``dim_release``, whose contract says it is never NULL."""
    warehouse, project = tmp_path / "warehouse", tmp_path / "dbt_project"
    warehouse.mkdir()
    shutil.copyfile(end_to_end.published.parent / "build.duckdb", warehouse / "build.duckdb")
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        con.execute("update raw.source_releases set release_date = null")
    shutil.copytree(paths.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "marts" / "fct_target_status.sql"
    sql = model.read_text()
    assert sql.count("as meets_20pct_equipment\nfrom shares") == 1
    model.write_text(
        sql.replace(
            "as meets_20pct_equipment\nfrom shares",
            "as meets_20pct_equipment,\n    0.0 as gap_to_4pct_pp\nfrom shares",
        )
    )
    # As a run's dbt runs, from the parse state `prepare` saved: it parses the edited model alone.
    done = dbt_from_saved_state(
        ["run", "--select", "+dim_release", "fct_target_status"],
        project=project,
        warehouse=warehouse,
        target=project / "target",
    )
    said = done.stdout
    assert done.returncode == 1, said[-3000:]
    # The column the YAML does not declare, named by dbt's contract check before anything is built.
    assert "Compilation Error in model fct_target_status" in said, said[-3000:]
    assert "gap_to_4pct_pp" in said and "missing in contract" in said, said[-3000:]
    # The NULL, refused by DuckDB on insert; it names the table dbt builds (dim_release__dbt_tmp).
    assert "Runtime Error in model dim_release" in said, said[-3000:]
    assert "NOT NULL constraint failed: dim_release" in said and ".release_date" in said
