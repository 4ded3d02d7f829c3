"""What the dbt manifest declares about the relations: each model's grain (``config.meta.grain``).

The manifest is the one declaration: the publish audit's list of marts and the GX suites' keys
are read from it, so adding a mart to ``_marts__models.yml`` adds it to both.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pipeline.dbt_manifest_file import MANIFEST_PATH, manifest_is_stale

MARTS = "marts"


def manifest_path() -> Path:
    """``dbt_project/target/manifest.json``, parsed first when missing or stale (by
    dbt_project.py, imported only then: it imports dagster-dbt and dbt Core, 1.5 s that the run's
    worker need not pay)."""
    if manifest_is_stale():
        from pipeline.defs.dbt_project import prepare_manifest

        prepare_manifest()
    return MANIFEST_PATH


def load_manifest(path: Path | None = None) -> dict:
    return json.loads((path or manifest_path()).read_text())


def models(manifest: dict) -> dict[str, dict]:
    """Model nodes by ``schema.name`` (the DuckDB relation dbt builds)."""
    return {
        f"{node['schema']}.{node['name']}": node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def grain(node: dict) -> tuple[str, ...]:
    return tuple((node.get("config", {}).get("meta") or {}).get("grain") or ())


def grains(manifest: dict) -> dict[str, tuple[str, ...]]:
    """Every model that declares a grain, by relation, in the manifest's order."""
    return {relation: grain(node) for relation, node in models(manifest).items() if grain(node)}


def mart_relations(manifest: dict) -> tuple[str, ...]:
    """Every model in the marts schema, sorted."""
    return tuple(sorted(r for r in models(manifest) if r.split(".")[0] == MARTS))


@cache
def project_grains() -> dict[str, tuple[str, ...]]:
    """The grains of this dbt project (read once per process)."""
    return grains(load_manifest())


@cache
def project_marts() -> tuple[str, ...]:
    return mart_relations(load_manifest())


def documented_columns(manifest: dict, relations: tuple[str, ...]) -> dict[str, list[str]]:
    return {r: list(models(manifest)[r]["columns"]) for r in relations}


def column_drift(
    documented: dict[str, list[str]], built: dict[str, list[str]]
) -> dict[str, dict[str, list[str]]]:
    """Per relation, the built columns the YAML does not document and the documented columns the
    build does not have (empty when they agree). A relation missing on either side is drift too."""
    drift = {}
    for relation in sorted(set(documented) | set(built)):
        doc, have = documented.get(relation, []), built.get(relation, [])
        undocumented = [c for c in have if c not in doc]
        not_built = [c for c in doc if c not in have]
        if undocumented or not_built:
            drift[relation] = {"undocumented": undocumented, "not_built": not_built}
    return drift
