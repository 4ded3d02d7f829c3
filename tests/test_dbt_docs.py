"""The warehouse's public contract: every mart column documented, with a unit (STYLE.md)."""

from __future__ import annotations

import json

from pipeline.defs.dbt_project import DBT_PROJECT, ensure_manifest

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
    ensure_manifest()
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


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
