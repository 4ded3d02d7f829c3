"""The warehouse's public contract: every mart column documented, with a unit (STYLE.md), and every
mart's grain declared. That the built marts hold exactly the documented columns, with their types,
dbt enforces on every build (tests/test_mart_contracts.py)."""

from __future__ import annotations

from pipeline.warehouse.dbt_manifest import grain, load_manifest, mart_relations, models

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
