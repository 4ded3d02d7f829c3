"""The warehouse's public contract: every mart column documented, with a unit (STYLE.md), every
mart's grain declared, and the built marts holding exactly the documented columns."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.warehouse.dbt_manifest import (
    column_drift,
    documented_columns,
    grain,
    load_manifest,
    mart_relations,
    models,
)

CONTRACT = {
    "dim_country": {
        "country_code",
        "country_name",
        "is_nato_ally",
        "nato_accession_date",
        "region",
        "has_armed_forces",
        "is_eastern_flank",
        "borders_russia_or_belarus",
        "ottawa_status",
    },
    "dim_release": {
        "release_id",
        "source",
        "title",
        "release_date",
        "cutoff_date",
        "price_base_year",
        "file_sha256",
        "is_latest",
    },
    "fct_defence_expenditure": {
        "country_code",
        "year",
        "release_id",
        "share_gdp_pct",
        "spending_usd_m",
        "spending_usd_const_m",
        "gdp_usd_m",
        "equipment_share_pct",
        "personnel_share_pct",
        "is_estimate",
        "is_member_in_year",
    },
    "fct_target_status": {
        "country_code",
        "year",
        "share_gdp_pct",
        "meets_2pct",
        "gap_to_2pct_pp",
        "gap_to_2pct_usd_m",
        "meets_3_5pct_core",
        "gap_to_3_5pct_pp",
        "meets_5pct",
        "gap_to_5pct_pp",
        "gap_to_5pct_usd_m",
        "is_estimate",
    },
    "fct_spending_path_2035": {
        "country_code",
        "year",
        "weo_release_id",
        "gdp_basis",
        "projected_gdp_usd_const_m",
        "share_path_3_5pct",
        "spending_path_3_5pct_usd_const_m",
        "share_path_5pct",
        "spending_path_5pct_usd_const_m",
    },
    "agg_alliance_year": {
        "aggregate_name",
        "year",
        "release_id",
        "share_gdp_pct_published",
        "share_gdp_pct_recomputed",
        "difference_pp",
        "allies_meeting_2pct",
        "allies_with_data",
    },
}


def _marts() -> dict[str, dict]:
    manifest = load_manifest()
    return {r.split(".")[1]: models(manifest)[r] for r in mart_relations(manifest)}


def test_every_mart_column_has_a_description_and_a_unit():
    undocumented = [
        f"{name}.{column}"
        for name, node in _marts().items()
        for column, spec in node["columns"].items()
        if not spec.get("description") or not (spec.get("meta") or {}).get("unit")
    ]
    assert undocumented == []


def test_marts_document_the_contract_columns_of_design_md():
    marts = _marts()
    missing = {
        name: sorted(columns - set(marts[name]["columns"])) for name, columns in CONTRACT.items()
    }
    assert {name: cols for name, cols in missing.items() if cols} == {}


def test_every_mart_declares_its_grain_in_documented_columns():
    """A mart without config.meta.grain would have no grain check and no GX suite."""
    manifest = load_manifest()
    problems = {}
    for relation in mart_relations(manifest):
        node = models(manifest)[relation]
        keys = grain(node)
        if not keys or not node.get("description") or set(keys) - set(node["columns"]):
            problems[relation] = list(keys)
    assert problems == {}


def test_the_publish_audit_and_the_gx_suites_cover_every_mart():
    from pipeline.quality.relation_suites import SUITES
    from pipeline.warehouse.publish import required_relations

    marts = mart_relations(load_manifest())
    assert len(marts) == 13
    assert required_relations() == marts
    assert sorted(s.relation for s in SUITES if s.relation.startswith("marts.")) == list(marts)


def test_column_drift_sees_a_column_added_to_the_sql_alone():
    documented = {"marts.fct_x": ["country_code", "year", "share_gdp_pct"]}
    built = {"marts.fct_x": ["country_code", "year", "share_gdp_pct", "new_measure_pct"]}
    assert column_drift(documented, built) == {
        "marts.fct_x": {"undocumented": ["new_measure_pct"], "not_built": []}
    }
    assert column_drift(documented, {"marts.fct_x": ["country_code", "year"]}) == {
        "marts.fct_x": {"undocumented": [], "not_built": ["share_gdp_pct"]}
    }
    assert column_drift(documented, {}) == {
        "marts.fct_x": {"undocumented": [], "not_built": documented["marts.fct_x"]}
    }
    assert column_drift(documented, documented) == {}


def built_columns(db_path, relations) -> dict[str, list[str]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name from information_schema.columns"
            " order by table_schema, table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for relation, column in rows:
        if relation in relations:
            columns.setdefault(relation, []).append(column)
    return columns


@pytest.mark.e2e
def test_every_built_mart_column_is_documented_and_every_documented_one_built(published):
    """The YAML alone cannot see a column added to a model's SQL: compare the published marts."""
    manifest = load_manifest()
    marts = mart_relations(manifest)
    built = built_columns(published, marts)
    assert column_drift(documented_columns(manifest, marts), built) == {}


@pytest.mark.e2e
def test_a_column_added_to_a_built_mart_alone_is_drift(published, tmp_path):
    """The check above, on a copy of the published warehouse where one mart gained a column that
    its YAML does not document (what adding it to the model's SQL alone would build)."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("alter table marts.fct_target_status add column gap_to_4pct_pp double")
    manifest = load_manifest()
    marts = mart_relations(manifest)
    drift = column_drift(documented_columns(manifest, marts), built_columns(copy, marts))
    assert drift == {
        "marts.fct_target_status": {"undocumented": ["gap_to_4pct_pp"], "not_built": []}
    }
